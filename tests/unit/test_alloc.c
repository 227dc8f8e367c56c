/* runtime/alloc.c, the musl build's malloc (with glibc the same checks run
 * against glibc's): sizes and alignment, reuse of freed blocks, realloc
 * keeping the contents, calloc zeroing and its overflow check, blocks with
 * a mapping of their own, aligned allocations. */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdint.h>

#include "unit.h"

static int aligned(void *p, size_t a)
{
	return ((uintptr_t)p & (a - 1)) == 0;
}

static void test_sizes(void)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 255, 256, 257, 511, 512, 4096, 65535,
					65536, 65537, 300000 };
	void *p[sizeof(sizes) / sizeof(sizes[0])];
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		p[i] = malloc(sizes[i]);
		CHECK(p[i] != NULL, "malloc(%zu)", sizes[i]);
		CHECK(aligned(p[i], 16), "malloc(%zu) = %p not 16-aligned", sizes[i], p[i]);
		CHECK(malloc_usable_size(p[i]) >= sizes[i], "usable %zu < %zu",
		      malloc_usable_size(p[i]), sizes[i]);
		memset(p[i], 0xa5, sizes[i]);
	}
	/* no two blocks overlap: each still holds its own pattern */
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *b = p[i];
		size_t bad = 0;
		for (size_t k = 0; k < sizes[i]; k++)
			bad += b[k] != 0xa5;
		CHECK(bad == 0, "block %zu of %zu bytes changed", i, sizes[i]);
		free(p[i]);
	}
	free(NULL);
}

static void test_reuse(void)
{
	/* a freed block of a size comes back for the same size: a loop that
	 * allocates and frees does not grow */
	void *a = malloc(100);
	uintptr_t was = (uintptr_t)a;
	free(a);
	void *b = malloc(100);
	CHECK((uintptr_t)b == was, "freed 100-byte block not reused (%#lx, %p)",
	      (unsigned long)was, b);
	free(b);
	uintptr_t first = 0;
	for (int i = 0; i < 100000; i++) {
		void *p = malloc(200);
		uintptr_t at = (uintptr_t)p;
		if (!first)
			first = at;
		free(p);
		if (at != first) {
			CHECK(at == first, "iteration %d got a new block", i);
			break;
		}
	}
}

static void test_realloc(void)
{
	char *p = realloc(NULL, 10);
	CHECK(p != NULL, "realloc(NULL)");
	for (int i = 0; i < 10; i++)
		p[i] = (char)i;
	for (size_t n = 20; n < 200000; n *= 3) {
		p = realloc(p, n);
		CHECK(p != NULL, "realloc to %zu", n);
		int ok = 1;
		for (int i = 0; i < 10; i++)
			ok &= p[i] == (char)i;
		CHECK(ok, "contents lost growing to %zu", n);
	}
	char *q = realloc(p, 5); /* shrinking keeps the start */
	CHECK(q && q[4] == 4, "shrink");
	free(q);
}

static void test_calloc(void)
{
	/* dirty a block, free it, and get it back from calloc: zeroed */
	unsigned char *d = malloc(48);
	memset(d, 0xff, 48);
	free(d);
	unsigned char *z = calloc(3, 16);
	CHECK(z != NULL, "calloc");
	size_t nz = 0;
	for (int i = 0; i < 48; i++)
		nz += z[i] != 0;
	CHECK(nz == 0, "calloc left %zu bytes non-zero", nz);
	free(z);
	errno = 0;
	void *o = calloc(SIZE_MAX / 2, 4);
	CHECK(o == NULL && errno == ENOMEM, "calloc overflow: %p errno %d", o, errno);
	errno = 0;
	o = malloc(SIZE_MAX - 8);
	CHECK(o == NULL && errno == ENOMEM, "malloc(SIZE_MAX - 8): %p errno %d", o, errno);
}

static void test_aligned(void)
{
	static const size_t al[] = { 8, 16, 32, 64, 256, 4096 };
	for (size_t i = 0; i < sizeof(al) / sizeof(al[0]); i++) {
		void *p = NULL;
		int r = posix_memalign(&p, al[i], 1000);
		CHECK(r == 0 && p && aligned(p, al[i]), "posix_memalign(%zu): %d %p", al[i], r, p);
		if (p) {
			memset(p, 1, 1000);
			CHECK(malloc_usable_size(p) >= 1000, "usable of aligned %zu", al[i]);
			free(p);
		}
		p = aligned_alloc(al[i], 4096);
		CHECK(p && aligned(p, al[i]), "aligned_alloc(%zu) = %p", al[i], p);
		free(p);
	}
	void *p = NULL;
	CHECK(posix_memalign(&p, 24, 10) == EINVAL, "posix_memalign(24) accepted");
}

int main(void)
{
	test_sizes();
	test_reuse();
	test_realloc();
	test_calloc();
	test_aligned();
	printf("unit alloc: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
