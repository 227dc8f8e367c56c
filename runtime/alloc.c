/* malloc for the musl build: size classes carved from 256 KiB mappings,
 * freed blocks kept on a list per class for reuse, nothing returned to the
 * kernel but blocks above 64 KiB (mapped and unmapped on their own).
 *
 * Why: musl's allocator (mallocng) maps and unmaps small groups of pages
 * as it goes.  Parsing config.json took ~15 mmap/munmap pairs and 0.17 ms
 * of CPU; `leeward state` spent half its time in them.  leeward is
 * single-threaded (the spawn helper shares our memory only while we are
 * suspended in vfork) and short-lived, or, for the long-lived commands
 * (run in the foreground, events), reuses blocks of the sizes it freed, so
 * a fast, non-returning allocator costs nothing in memory that matters.
 *
 * musl's own internal allocations (locale, time zone, atexit) use its
 * private __libc_malloc and never meet these functions.  The glibc and
 * sanitizer builds keep their C library's malloc. */
#include <features.h>
#if !defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define HDR 16                  /* before each block; keeps 16-byte alignment */
#define SMALL_MAX 256           /* classes of 16..256 bytes, step 16 */
#define BIG 65536               /* above: a mapping of its own */
#define CHUNK (256 * 1024)
#define N_CLASSES (SMALL_MAX / 16 + 8) /* + 512 .. 65536 */
/* cls of a block with a mapping of its own */
#define MAPPED UINT32_MAX

struct hdr {
	size_t size;  /* usable bytes (mapped: the mapping's length) */
	uint32_t cls; /* class index, or MAPPED */
	uint32_t off; /* mapped: the header's offset in the mapping (not 0
		       * only for alignments above 16) */
};
_Static_assert(sizeof(struct hdr) <= HDR, "header fits");

static void *free_list[N_CLASSES];
static char *cur, *end;

static size_t class_of(size_t n, size_t *size)
{
	if (n <= SMALL_MAX) {
		size_t c = n ? (n + 15) / 16 : 1;
		*size = c * 16;
		return c - 1;
	}
	size_t s = 512, c = SMALL_MAX / 16;
	while (s < n) {
		s <<= 1;
		c++;
	}
	*size = s;
	return c;
}

static void *map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void *malloc(size_t n)
{
	struct hdr *h;

	if (n > BIG) {
		if (n > SIZE_MAX / 2) {
			errno = ENOMEM;
			return NULL;
		}
		size_t len = (n + HDR + 4095) & ~(size_t)4095;
		h = map(len);
		if (!h) {
			errno = ENOMEM;
			return NULL;
		}
		h->size = len;
		h->cls = MAPPED;
		h->off = 0;
		return (char *)h + HDR;
	}
	size_t size, c = class_of(n, &size);
	if (free_list[c]) {
		void *p = free_list[c];
		free_list[c] = *(void **)p;
		return p;
	}
	if ((size_t)(end - cur) < HDR + size) {
		char *m = map(CHUNK);
		if (!m) {
			errno = ENOMEM;
			return NULL;
		}
		cur = m;
		end = m + CHUNK;
	}
	h = (struct hdr *)cur;
	cur += HDR + size;
	h->size = size;
	h->cls = (uint32_t)c;
	h->off = 0;
	return (char *)h + HDR;
}

void free(void *p)
{
	if (!p)
		return;
	struct hdr *h = (struct hdr *)((char *)p - HDR);
	if (h->cls == MAPPED) {
		munmap((char *)h - h->off, h->size);
		return;
	}
	*(void **)p = free_list[h->cls];
	free_list[h->cls] = p;
}

static size_t usable(void *p)
{
	struct hdr *h = (struct hdr *)((char *)p - HDR);
	return h->cls == MAPPED ? h->size - h->off - HDR : h->size;
}

void *calloc(size_t m, size_t n)
{
	if (n && m > SIZE_MAX / n) {
		errno = ENOMEM;
		return NULL;
	}
	void *p = malloc(m * n);
	if (p)
		memset(p, 0, m * n);
	return p;
}

void *realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	size_t have = usable(p);
	if (n <= have)
		return p;
	void *q = malloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, have);
	free(p);
	return q;
}

size_t malloc_usable_size(void *p)
{
	return p ? usable(p) : 0;
}

/* Alignment above 16 bytes (nothing in leeward or its libraries asks for
 * it): a mapping of its own, the block one `align` into it. */
void *aligned_alloc(size_t align, size_t n)
{
	if (align <= 16)
		return malloc(n);
	if (align > 4096 || (align & (align - 1)) || n > SIZE_MAX / 2) {
		errno = EINVAL;
		return NULL;
	}
	size_t len = (n + align + 4095) & ~(size_t)4095;
	char *base = map(len);
	if (!base) {
		errno = ENOMEM;
		return NULL;
	}
	struct hdr *h = (struct hdr *)(base + align - HDR);
	h->size = len;
	h->cls = MAPPED;
	h->off = (uint32_t)(align - HDR);
	return base + align;
}

int posix_memalign(void **out, size_t align, size_t n)
{
	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	void *p = aligned_alloc(align, n);
	if (!p)
		return errno;
	*out = p;
	return 0;
}

void *memalign(size_t align, size_t n)
{
	return aligned_alloc(align, n);
}

#endif
