# leeward — build, test, install, deps.
#
#   make deps      install the Debian packages the build and the tests need
#   make           build build/leeward
#   make check     unit tests, integration tests (bats) on this host, VM lane
#   make asan      build build-asan/leeward with ASan+UBSan
#   make bench     benchmark against runc (and crun where it runs)
#   make bench-vm  the benchmark in the pure cgroup v2 VM (runc, crun)
#   make demo      run a program in a sandbox made from the default bundle

CC      ?= gcc
PREFIX  ?= /usr/local
BUILD   ?= build
VERSION := 0.1.0
COMMIT  := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

# Packages: to build, and to run the test suite (peers and test tools).
# (libcgroup-dev and libmnl-dev are installed but not linked: leeward writes
# cgroupfs and builds its three netlink requests itself; see README.)
DEPS_BUILD := build-essential pkg-config musl-tools libseccomp-dev libyajl-dev libcgroup-dev libmnl-dev
DEPS_TEST  := bats jq busybox-static python3-jsonschema uidmap iproute2 runc crun catatonit \
              podman conmon containerd golang-github-containers-common \
              qemu-system-x86 cpio zstd xz-utils

PKGS    := libseccomp yajl
OPT     ?= -O2 -g
CFLAGS  += $(OPT) -std=gnu17 -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
           -Wformat=2 -Wno-format-nonliteral -fno-strict-aliasing \
           -DLW_VERSION='"$(VERSION)"' -DLW_COMMIT='"$(COMMIT)"'
# One static-pie executable: no dynamic loader and no shared objects to map
# and relocate on every command, ASLR kept.  STATIC= links dynamically (the
# ASan build).
STATIC  ?= -static-pie
LDFLAGS += $(STATIC)

# The C library of the runtime: musl when musl-gcc is there (make deps
# installs it), else glibc.  glibc's static startup runs about 80 cpuid
# instructions (CPU features, cache sizes); in a virtual machine each one
# exits to the hypervisor: 0.55 ms of every command on the test hosts, more
# than all of `start`.  musl's startup runs none.  libseccomp and yajl come
# from Debian's .a files either way (their few glibc-only symbols, the
# _FORTIFY_SOURCE checks, are in runtime/libc_compat.c).  The test helpers
# (lwtest, ...) are plain glibc programs: HOSTCC.
HOSTCC  := $(CC)
# (`make deps X`: deps installs musl-gcc before X is built)
LIBC    ?= $(if $(or $(shell command -v musl-gcc 2>/dev/null),$(filter deps,$(MAKECMDGOALS))),musl,glibc)
ifeq ($(LIBC),musl)
RTCC     := musl-gcc
MULTIARCH = $(shell $(HOSTCC) -print-multiarch)
# musl-gcc searches musl's headers only: the kernel's, libseccomp's and
# yajl's are linked into one directory of their own
MUSL_INC := $(BUILD)/musl-include
CFLAGS   += -isystem $(MUSL_INC)
LDLIBS   += $(shell $(HOSTCC) -print-file-name=libseccomp.a) $(shell $(HOSTCC) -print-file-name=libyajl_s.a)
# musl-gcc's specs cannot link a static-pie: the gcc driver does, with
# musl's rcrt1.o (self-relocating start) and libc.a
MUSL_LIB  = /usr/lib/$(subst -gnu,-musl,$(MULTIARCH))/
RTLINK    = $(HOSTCC) -nostdlib $(LDFLAGS) -o $@ $(MUSL_LIB)rcrt1.o $(MUSL_LIB)crti.o \
            $(shell $(HOSTCC) -print-file-name=crtbeginS.o) $(1) $(LDLIBS) $(MUSL_LIB)libc.a \
            $(shell $(HOSTCC) -print-libgcc-file-name) $(shell $(HOSTCC) -print-file-name=crtendS.o) \
            $(MUSL_LIB)crtn.o
else
RTCC     := $(CC)
MUSL_INC :=
CFLAGS   += $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   += -Wl,-Bstatic -lseccomp -lyajl_s $(if $(STATIC),,-Wl,-Bdynamic)
RTLINK    = $(RTCC) $(CFLAGS) $(LDFLAGS) -o $@ $(1) $(LDLIBS)
endif

SRC_MODULES := $(wildcard spec/*.c cgroup/*.c netns/*.c hooks/*.c)
SRC_RUNTIME := $(filter-out runtime/main.c,$(wildcard runtime/*.c runtime/cli/*.c runtime/supervisor/*.c))
SRC_ALL     := runtime/main.c $(SRC_RUNTIME) $(SRC_MODULES)
OBJ_ALL     := $(SRC_ALL:%.c=$(BUILD)/%.o)
OBJ_LIB     := $(filter-out $(BUILD)/runtime/main.o,$(OBJ_ALL))

OBJ_LEAF    := $(BUILD)/runtime/error.o $(BUILD)/runtime/log.o
OBJ_COMPAT  := $(BUILD)/runtime/libc_compat.o $(BUILD)/runtime/alloc.o
# (gcc would turn calloc's malloc + memset into a call to calloc)
$(BUILD)/runtime/alloc.o: CFLAGS += -fno-builtin
$(BUILD)/tests/test_alloc.o: CFLAGS += -fno-builtin -Wno-alloc-size-larger-than
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
UNIT_BIN    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps check unit integration vm asan asan-check install clean bench bench-vm helper fmt demo

all: $(BUILD)/leeward $(BUILD)/lwtest $(BUILD)/scmptest $(BUILD)/scmplistener

$(BUILD)/leeward: $(OBJ_ALL)
	$(call RTLINK,$^)

# objects made for the other C library are made again
LIBC_STAMP := $(BUILD)/.libc-$(LIBC)
$(LIBC_STAMP):
	@mkdir -p $(BUILD)
	@rm -f $(BUILD)/.libc-*
	@touch $@

$(BUILD)/%.o: %.c $(LIBC_STAMP) | $(MUSL_INC)
	@mkdir -p $(dir $@)
	$(RTCC) $(CFLAGS) -MMD -MP -c -o $@ $<

ifneq ($(MUSL_INC),)
ifeq ($(STATIC),)
$(error LIBC=musl links static-pie only: use LIBC=glibc for a dynamic build)
endif
# (made only once every link resolves, so a half-installed machine does not
# leave a broken directory behind)
$(MUSL_INC):
	@rm -rf $@.tmp && mkdir -p $@.tmp
	@for h in linux asm-generic seccomp.h seccomp-syscalls.h yajl; do ln -sfn /usr/include/$$h $@.tmp/$$h; done
	@ln -sfn /usr/include/$(MULTIARCH)/asm $@.tmp/asm
	@for h in linux/types.h asm/unistd.h seccomp.h yajl/yajl_tree.h; do \
		[ -e $@.tmp/$$h ] || { echo "musl build: $$h not found (make deps)" >&2; exit 1; }; done
	@mv -T $@.tmp $@
endif

# The static multi-call helper that tests run inside the container.
$(BUILD)/lwtest: tests/helper/lwtest.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -O2 -Wall -Wextra -Werror -static -o $@ $<

# Test programs for the seccomp tests: one syscall on demand, and a
# listenerPath agent.
$(BUILD)/scmptest: tests/helper/scmptest.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -O2 -Wall -Wextra -Werror -static -o $@ $<
$(BUILD)/scmplistener: tests/helper/scmplistener.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -O2 -Wall -Wextra -Werror -o $@ $<

# runtime/seccomp.c is tested alone (the other runtime objects need spec/)
$(BUILD)/tests/test_runtime_seccomp: $(BUILD)/tests/test_runtime_seccomp.o $(BUILD)/runtime/seccomp.o $(filter $(BUILD)/spec/%,$(OBJ_LIB)) $(OBJ_LEAF) $(OBJ_COMPAT)
	$(call RTLINK,$^)

# the runtime's pure logic (links every object, like the binary)
$(BUILD)/tests/test_runtime_core: $(BUILD)/tests/test_runtime_core.o $(OBJ_LIB)
	$(call RTLINK,$^)

# A unit test tests/unit/test_<module>[_more].c links the objects of folder
# <module>/ (spec, cgroup, netns, hooks, runtime) and the leaf utilities.
unit_module = $(firstword $(subst _, ,$(patsubst test_%,%,$(notdir $(1)))))
# make puts the stem in place of a literal % in a pattern rule's prerequisites
# before the second expansion, so the filter pattern's % comes from a variable.
unit_pct := %
.SECONDEXPANSION:
$(BUILD)/tests/test_%: $(BUILD)/tests/test_%.o $$(filter $(BUILD)/$$(call unit_module,$$@)/$$(unit_pct),$$(OBJ_LIB)) $$(OBJ_LEAF) $$(OBJ_COMPAT)
	$(call RTLINK,$(sort $^))

$(BUILD)/tests/%.o: tests/unit/%.c $(LIBC_STAMP) | $(MUSL_INC)
	@mkdir -p $(dir $@)
	$(RTCC) $(CFLAGS) -I. -MMD -MP -c -o $@ $<

-include $(OBJ_ALL:.o=.d) $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%.d)

deps:
	@missing=$$(for p in $(DEPS_BUILD) $(DEPS_TEST); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all installed"; fi

unit: $(UNIT_BIN)
	@fail=0; for t in $(UNIT_BIN); do $$t || fail=1; done; exit $$fail

integration: all
	LEEWARD=$(CURDIR)/$(BUILD)/leeward tests/run-integration.sh

vm: all
	tests/vm/run-suite.sh

# The whole suite: what CI runs (through .ci/run) and what README shows.
check: all
	tests/check.sh

asan:
	$(MAKE) BUILD=build-asan LIBC=glibc STATIC= OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" LDFLAGS="-fsanitize=address,undefined"

asan-check: asan
	LEEWARD=$(CURDIR)/build-asan/leeward ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 tests/run-integration.sh

# Run a command in a sandbox from the default bundle (contrib/sandbox.sh).
demo: all
	contrib/sandbox.sh

bench: all
	bench/run.sh

# the same inside the pure cgroup v2 VM, where crun runs too
bench-vm: all
	bench/vm.sh

install: all
	install -D -m 0755 $(BUILD)/leeward $(DESTDIR)$(PREFIX)/bin/leeward

fmt:
	clang-format -i $(SRC_ALL) $(wildcard runtime/*.h runtime/cli/*.h spec/*.h cgroup/*.h netns/*.h hooks/*.h)

clean:
	rm -rf build build-asan
