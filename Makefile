# adsim: one Makefile.  MODE=release|debug|asan
MODE ?= release
CC ?= cc
OBJ := obj/$(MODE)
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter -Wno-format-truncation
CFLAGS_release := -O2 -g
CFLAGS_debug := -O0 -g
CFLAGS_asan := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS_$(MODE)) $(EXTRA_CFLAGS)
LDFLAGS := $(CFLAGS_$(MODE))

# The layers, bottom first: a file may include headers of its own layer and
# of those before it, never of one after it (`make layers` checks).  A
# directory inside a layer (kvm/mmu, arch/x86/mm) belongs to it; arch/
# sits above mm/ as the kernel's arch code does: mm.h declares, arch defines.
LAYERS := exec variant hw mm arch kvm scn drv check sim host vskernel cli
DIRS := $(LAYERS) arch/x86/mm kvm/mmu
SRCS := $(foreach d,$(DIRS),$(wildcard $(d)/*.c)) exec/ctx_x86_64.S
LIBSRCS := $(filter-out cli/main.c,$(SRCS))
LIBOBJS := $(patsubst %,$(OBJ)/%.o,$(LIBSRCS))
BIN := build/adsim$(if $(filter release,$(MODE)),,-$(MODE))
UNITSRCS := $(wildcard tests/unit/*.c)
UNITOBJS := $(patsubst %,$(OBJ)/%.o,$(UNITSRCS))
UNIT := build/unit-tests$(if $(filter release,$(MODE)),,-$(MODE))

all: $(BIN)

# Unit tests of every layer, linked against the same objects as adsim.
unit: $(UNIT)
$(UNIT): $(LIBOBJS) $(UNITOBJS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lm

$(BIN): $(LIBOBJS) $(OBJ)/cli/main.c.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ -lm

$(OBJ)/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(OBJ)/%.S.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

-include $(LIBOBJS:.o=.d) $(OBJ)/cli/main.c.d $(UNITOBJS:.o=.d)

# Fails on an #include of a header from a layer above the including file's.
layers:
	@bash tests/layers.sh $(LAYERS)

# The model's sources, for tests/fuzz/run.sh's targets that drive it whole.
libsrcs:
	@echo $(LIBSRCS)

.PHONY: all clean unit libsrcs layers
clean:
	rm -rf obj build

# Debian packages the build and the tests need (run as root on a new machine).
PKGS := gcc make python3 libc6-dev clang libclang-rt-14-dev
deps:
	@missing=$$(for p in $(PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update && apt-get install -y $$missing; fi

# The main job: check every shipped scenario against its expect lines.
run: all
	./build/adsim check --expect scenarios/*/*.adsim

test:
	bash tests/run.sh

.PHONY: deps run test
