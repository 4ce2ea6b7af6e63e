# fmfs - a read-only FUSE archive of billing files, its catalog library and fmctl.
# make            release build into build/
# make test       sanitizer build into build-san/, then every unit and integration test
# make bench      benchmarks (see BENCHMARKS.md)
# make demo       a demo archive mounted at /tmp/fmfs-demo/mnt
# make stress     the tests with bigger counts (FMFS_STRESS=1)
# make fuzz       libFuzzer targets, FUZZ_SECONDS (60) each

PREFIX ?= /usr/local
DESTDIR ?=
B ?= build
PKGS = fuse3 sqlite3 libcrypto libutf8proc libzip libcurl libxxhash libseccomp

CC ?= cc
OPT ?= -O2
CFLAGS_BASE = -std=gnu11 -g $(OPT) -Wall -Wextra -Werror -D_FILE_OFFSET_BITS=64 \
	-D_GNU_SOURCE $(shell pkg-config --cflags $(PKGS))
ifeq ($(SANITIZE),1)
CFLAGS_BASE += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
# -MMD -MP: each compile writes a .d file listing the headers it read, so an
# object is rebuilt when one of its own headers changes (included below)
override CFLAGS := $(CFLAGS_BASE) -MMD -MP $(CFLAGS)
LIBS = $(shell pkg-config --libs $(PKGS)) -lpthread
# what only the billing library needs (the .xlsx view): not linked into fmfs
BILLING_LIBS = $(shell pkg-config --libs xlsxwriter)

CATALOG_SRC = $(wildcard catalog/*.c)
FMFS_SRC = $(wildcard fmfs/*.c)
BILLING_SRC = $(wildcard tools/billing/*.c)
FMCTL_SRC = $(filter-out tools/fmctl/fmctl.c,$(wildcard tools/fmctl/*.c))
TOOLS_SRC = $(BILLING_SRC) $(FMCTL_SRC)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
HELPER_SRC = $(wildcard tests/helpers/*.c)

CATALOG_OBJ = $(CATALOG_SRC:%.c=$(B)/obj/%.o)
FMFS_OBJ = $(FMFS_SRC:%.c=$(B)/obj/%.o)
BILLING_OBJ = $(BILLING_SRC:%.c=$(B)/obj/%.o)
FMCTL_OBJ = $(FMCTL_SRC:%.c=$(B)/obj/%.o)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
HELPER_BIN = $(HELPER_SRC:tests/helpers/%.c=$(B)/helpers/%)

.PHONY: all unit helpers test bench stress fuzz demo install format tidy clean
all: $(B)/fmfs $(B)/fmctl

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(B)/libcatalog.a: $(CATALOG_OBJ)
	$(AR) rcs $@ $^

# the billing domain: depends on nothing but the C library and its packages
# (never on catalog/ or fmctl); fmctl's subcommands sit on top of both
$(B)/libbilling.a: $(BILLING_OBJ)
	$(AR) rcs $@ $^

$(B)/libfmctl.a: $(FMCTL_OBJ)
	$(AR) rcs $@ $^

$(B)/fmfs: $(FMFS_OBJ) $(B)/libcatalog.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

LIBS_FMCTL = $(B)/libfmctl.a $(B)/libbilling.a $(B)/libcatalog.a

$(B)/fmctl: $(B)/obj/tools/fmctl/fmctl.o $(LIBS_FMCTL)
	$(CC) $(LDFLAGS) -o $@ $^ $(BILLING_LIBS) $(LIBS)

$(B)/tests/%: tests/unit/%.c $(LIBS_FMCTL)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIBS_FMCTL) $(BILLING_LIBS) $(LIBS)

# programs the integration tests and benchmarks drive (not tests themselves)
$(B)/helpers/%: tests/helpers/%.c $(B)/libcatalog.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libcatalog.a $(LIBS)

helpers: $(HELPER_BIN)

unit: $(UNIT_BIN) $(HELPER_BIN)

test:
	$(MAKE) B=build-san SANITIZE=1 all unit
	tests/run.sh build-san

stress:
	$(MAKE) B=build-san SANITIZE=1 all unit
	FMFS_STRESS=1 tests/run.sh build-san

bench: all helpers
	bench/run.sh $(B)

# make fuzz [FUZZ_SECONDS=60]: every libFuzzer target in tests/fuzz/, built
# with clang (-fsanitize=fuzzer,address,undefined) into build-fuzz/
FUZZ_SECONDS ?= 60
FB = build-fuzz
FUZZ_CFLAGS = -std=gnu11 -g -O1 -D_FILE_OFFSET_BITS=64 -D_GNU_SOURCE \
	$(shell pkg-config --cflags $(PKGS)) -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -MMD -MP
FUZZ_BIN = $(patsubst tests/fuzz/%.c,$(FB)/bin/%,$(wildcard tests/fuzz/fuzz_*.c))

$(FB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -c $< -o $@

$(FB)/libcatalog.a: $(CATALOG_SRC:%.c=$(FB)/obj/%.o)
	$(AR) rcs $@ $^

$(FB)/libbilling.a: $(BILLING_SRC:%.c=$(FB)/obj/%.o)
	$(AR) rcs $@ $^

$(FB)/libfmctl.a: $(FMCTL_SRC:%.c=$(FB)/obj/%.o)
	$(AR) rcs $@ $^

$(FB)/bin/%: tests/fuzz/%.c $(FB)/libfmctl.a $(FB)/libbilling.a $(FB)/libcatalog.a
	@mkdir -p $(dir $@) $(FB)/obj/tests/fuzz
	clang $(FUZZ_CFLAGS) -MF $(FB)/obj/tests/fuzz/$*.d -fsanitize=fuzzer -o $@ $< $(FB)/libfmctl.a \
		$(FB)/libbilling.a $(FB)/libcatalog.a $(BILLING_LIBS) $(LIBS)

fuzz: $(FUZZ_BIN)
	tests/fuzz/run.sh $(FB) $(FUZZ_SECONDS)

demo: all
	tools/demo.sh $(B)

# make install [PREFIX=/usr/local] [DESTDIR=]: the binaries, the usage spool
# script, the systemd units (their /usr/local/ paths made $(PREFIX)/), the man
# pages and the bash completion. mount -t fuse.fmfs and fstab lines need no
# helper of ours: mount(8) runs fuse3's /sbin/mount.fuse3, which runs fmfs
# from the default PATH (/usr/local/bin, /usr/bin, ...).
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/libexec/fmfs $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(B)/fmfs $(B)/fmctl $(DESTDIR)$(PREFIX)/bin/
	install -m 755 tools/usage-spool.sh $(DESTDIR)$(PREFIX)/libexec/fmfs/
	for u in systemd/*.service systemd/*.timer systemd/*.path; do \
		sed 's|/usr/local/|$(PREFIX)/|g' $$u >$(DESTDIR)$(UNITDIR)/$${u#systemd/} && \
		chmod 644 $(DESTDIR)$(UNITDIR)/$${u#systemd/} || exit 1; \
	done
	install -m 644 docs/man/fmctl.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 docs/man/fmfs-formats.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 docs/man/fmfs.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 tools/fmctl.bash-completion $(DESTDIR)$(BASHCOMPDIR)/fmctl

# make format [BASE=main]: clang-format (.clang-format: kernel style, tabs,
# 100 columns) on the lines changed since BASE only. The tree is wrapped by
# hand (mostly at 80 columns): reformatting all of it would rewrap ~900 lines.
BASE ?= HEAD
format:
	git clang-format --style=file $(BASE) -- '*.c' '*.h'

tidy:
	clang-tidy $(CATALOG_SRC) $(FMFS_SRC) $(TOOLS_SRC) tools/fmctl/fmctl.c \
		-checks='-*,clang-analyzer-*,bugprone-*,-bugprone-easily-swappable-parameters,-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling' \
		-- $(CFLAGS_BASE)

clean:
	rm -rf build build-san build-fuzz

# the header dependencies the compiler wrote (-MMD -MP)
-include $(wildcard $(B)/obj/*/*.d $(B)/obj/*/*/*.d $(B)/tests/*.d \
	$(FB)/obj/*/*.d $(FB)/obj/*/*/*.d $(FB)/bin/*.d)
