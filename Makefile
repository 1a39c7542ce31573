# SPDX-License-Identifier: ISC
# zvm - ZeroVM's channel model for ordinary Linux programs.
#
# +------------------------------------------------------------------+
# | user knobs                                                       |
# +------------------------------------------------------------------+
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
DESTDIR     ?=
CC          ?= cc
PKG_CONFIG  ?= pkg-config
CFLAGS      ?= -O2 -g
JOBS        ?= 2
# SAN=1: ASan+UBSan build in build-san/. WERROR=1: warnings are errors.
SAN         ?=
WERROR      ?=

VERSION = 0.1.0

# Warnings and the language level survive a user CFLAGS (mblaze's override).
override CFLAGS += -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wno-missing-field-initializers \
	-fstack-protector-strong
override CPPFLAGS += -D_GNU_SOURCE -Ilib -DZVM_VERSION='"$(VERSION)"' -MMD -MP
override LDFLAGS += -Wl,--as-needed
ifeq ($(WERROR),1)
override CFLAGS += -Werror
endif

ifeq ($(SAN),1)
O := build-san
override CFLAGS += -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
override LDFLAGS += -fsanitize=address,undefined
else
O := build
override CPPFLAGS += -D_FORTIFY_SOURCE=2
endif

# libseccomp is a build tool only: tools/genfilter.c compiles zvm-run's
# filter variants to BPF into $(O)/gen/zvm-filter.h.
SECCOMP_LIBS := $(shell $(PKG_CONFIG) --libs libseccomp 2>/dev/null || echo -lseccomp)
SECCOMP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libseccomp 2>/dev/null)
HOSTCC  ?= cc
GEN     := $(O)/gen
override CPPFLAGS += -I$(GEN)
LDLIBS  :=

# zvm-run is linked static with musl when musl-gcc exists: a glibc
# program spends ~0.5 ms starting here (reference/sandbox.md section 2).
# libzvm is compiled again for it in $(O)/musl, against an include dir of
# links to the kernel's uapi headers (and xxhash.h), which musl-gcc's own
# include path leaves out.  SAN=1 stays glibc: musl has no ASan.
MUSLCC  ?= musl-gcc
ifneq ($(SAN),1)
MUSL    := $(shell command -v $(MUSLCC) 2>/dev/null)
endif
MO      := $(O)/musl
MULTIARCH := $(shell $(HOSTCC) -print-multiarch 2>/dev/null)

LIBSRC  := $(sort $(wildcard lib/*/*.c))
LIBOBJ  := $(LIBSRC:%.c=$(O)/%.o)
LIB     := $(O)/libzvm.a
CMDS    := $(sort $(patsubst cmd/%.c,%,$(wildcard cmd/zvm-*.c)))
BINS    := $(CMDS:%=$(O)/%)
UNIT    := $(patsubst tests/unit/%.c,$(O)/tests/unit/%,$(wildcard tests/unit/test_*.c))
# A fake cluster node for tests/zvm-ns.bats, linked with libzvm.
NSNODE  := $(O)/tests/unit/nsnode
# Test payloads run inside the sandbox: static, never sanitized.
PROGS   := $(patsubst tests/progs/%.c,$(O)/tests/progs/%,$(wildcard tests/progs/*.c))
EXAMPLES := $(patsubst examples/%.c,$(O)/examples/%,$(wildcard examples/*.c))
# Baselines the benchmarks measure zvm-run against (bench/floor-*.c) and
# the timer that runs commands in turn (bench/interleave.c).
FLOORS  := $(patsubst bench/%.c,$(O)/bench/%,$(wildcard bench/*.c))
FUZZERS := $(patsubst fuzz/%.c,%,$(wildcard fuzz/*_fuzzer.c))
REPLAY  := $(FUZZERS:%=$(O)/fuzz/%)
MANS    := $(wildcard man/*.[157])

all: $(BINS)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIBOBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(O)/zvm-%: $(O)/cmd/zvm-%.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(GEN)/genfilter: tools/genfilter.c
	@mkdir -p $(@D)
	$(HOSTCC) -O2 -std=c11 -Wall -Wextra -D_GNU_SOURCE $(SECCOMP_CFLAGS) \
	    -o $@ $< $(SECCOMP_LIBS)

$(GEN)/zvm-filter.h: $(GEN)/genfilter
	$(GEN)/genfilter >$@

$(O)/lib/run/sandbox.o $(MO)/lib/run/sandbox.o: $(GEN)/zvm-filter.h

ifneq ($(MUSL),)
$(MO)/include/.done:
	@mkdir -p $(@D)
	ln -sfn /usr/include/linux $(@D)/linux
	ln -sfn $(firstword $(wildcard /usr/include/$(MULTIARCH)/asm) \
	    /usr/include/asm) $(@D)/asm
	ln -sfn /usr/include/asm-generic $(@D)/asm-generic
	ln -sf /usr/include/xxhash.h $(@D)/xxhash.h
	@touch $@

$(MO)/%.o: %.c $(MO)/include/.done
	@mkdir -p $(@D)
	$(MUSLCC) $(CPPFLAGS) -isystem $(MO)/include $(CFLAGS) -c -o $@ $<

# zvm-run's own malloc (lib/base/heap.c), in the musl build alone.
$(MO)/lib/base/heap.o: CPPFLAGS += -DZVM_HEAP_MALLOC

$(MO)/libzvm.a: $(LIBSRC:%.c=$(MO)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(O)/zvm-run: $(MO)/cmd/zvm-run.o $(MO)/libzvm.a
	$(MUSLCC) -static $(CFLAGS) $(LDFLAGS) -o $@ $^
endif

$(O)/tests/unit/%: $(O)/tests/unit/%.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(O)/tests/progs/%: tests/progs/%.c
	@mkdir -p $(@D)
	$(CC) -O2 -g -static -D_GNU_SOURCE -Wall -Wextra -o $@ $< -lpthread

# No libc: its memory at exit is the same in every run (memory etag tests).
$(O)/tests/progs/memtag: tests/progs/memtag.c
	@mkdir -p $(@D)
	$(CC) -O2 -static -nostdlib -ffreestanding -fno-stack-protector \
	    -fno-builtin -Wall -Wextra -o $@ $<

# Static, and with musl when zvm-run is, so they start like it does.
$(O)/bench/%: bench/%.c
	@mkdir -p $(@D)
	$(if $(MUSL),$(MUSLCC) -isystem $(MO)/include,$(CC)) -O2 -static \
	    -Wall -Wextra -o $@ $<

$(O)/bench/floor-notify $(O)/bench/floor-launch: $(if $(MUSL),$(MO)/include/.done)

$(O)/examples/%: examples/%.c
	@mkdir -p $(@D)
	$(CC) -O2 -g -static -Wall -Wextra -o $@ $<

# Corpus replay: the libFuzzer entry point driven by a plain main().
$(O)/fuzz/%: $(O)/fuzz/%.o $(O)/fuzz/driver.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Coverage-guided builds: make fuzz (libFuzzer, clang) or make afl (AFL++).
fuzz:
	$(MAKE) O=build-fuzz CC=clang SAN= \
	    CFLAGS='-O1 -g -fsanitize=fuzzer-no-link,address,undefined' \
	    build-fuzz/libzvm.a
	@for f in $(FUZZERS); do \
	    echo "clang $$f"; \
	    clang -O1 -g -D_GNU_SOURCE -Ilib -fsanitize=fuzzer,address,undefined \
	        -o build-fuzz/$$f fuzz/$$f.c build-fuzz/libzvm.a $(LDLIBS) || exit 1; \
	done
afl:
	$(MAKE) O=build-afl CC=afl-clang-fast SAN= CFLAGS='-O1 -g' build-afl/libzvm.a
	@for f in $(FUZZERS); do \
	    afl-clang-fast -O1 -g -D_GNU_SOURCE -Ilib -fsanitize=fuzzer \
	        -o build-afl/$$f fuzz/$$f.c build-afl/libzvm.a $(LDLIBS) || exit 1; \
	done

deps:
	@sh scripts/deps

check: deps all $(UNIT) $(NSNODE) $(PROGS) $(REPLAY)
	ZVM_BUILD=$(abspath $(O)) PATH="$(abspath $(O)):$$PATH" \
	    prove -j$(JOBS) --exec tests/run-test $(UNIT) $(sort $(wildcard tests/*.bats)) \
	    $(sort $(wildcard tests/copy/*.bats))

demo: deps all $(EXAMPLES)
	@ZVM_BUILD=$(abspath $(O)) PATH="$(abspath $(O)):$$PATH" sh examples/demo.sh

bench: deps all $(PROGS) $(FLOORS)
	@ZVM_BUILD=$(abspath $(O)) PATH="$(abspath $(O)):$$PATH" sh bench/run

lint: deps
	sh scripts/layers
	mandoc -Tlint -W warning $(MANS)
	shellcheck -s sh scripts/deps scripts/layers $(wildcard examples/*.sh examples/*/*.sh examples/*/*.sbatch) $(filter-out %.c,$(wildcard bench/*))
	shellcheck -s bash $(wildcard completions/bash/zvm-*) $(wildcard tests/*.bash)
	for f in $(wildcard completions/zsh/_zvm-*); do zsh -n $$f || exit 1; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 0755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 0644 $(wildcard man/*.1) $(DESTDIR)$(MANDIR)/man1
	install -m 0644 $(wildcard man/*.5) $(DESTDIR)$(MANDIR)/man5
	install -m 0644 $(wildcard man/*.7) $(DESTDIR)$(MANDIR)/man7
	install -m 0644 $(wildcard completions/bash/zvm-*) $(DESTDIR)$(BASHCOMPDIR)
	install -m 0644 $(wildcard completions/zsh/_zvm-*) $(DESTDIR)$(ZSHCOMPDIR)

uninstall:
	rm -f $(CMDS:%=$(DESTDIR)$(BINDIR)/%) $(CMDS:%=$(DESTDIR)$(BASHCOMPDIR)/%)
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man1/%,$(wildcard man/*.1))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man5/%,$(wildcard man/*.5))
	rm -f $(patsubst man/%,$(DESTDIR)$(MANDIR)/man7/%,$(wildcard man/*.7))
	rm -f $(CMDS:%=$(DESTDIR)$(ZSHCOMPDIR)/_%)

clean:
	rm -rf build build-san build-fuzz build-afl

.PHONY: all check demo bench lint install uninstall clean deps fuzz afl
.DELETE_ON_ERROR:
.SECONDARY:

-include $(shell find $(O) -name '*.d' 2>/dev/null)
