# sysgenid: the System Generation ID patch series and the harness that proves it.
#
#   make demo      snapshot/restore demo in a QEMU guest (also: make)
#   make check     every test; ends with "N passed, N failed"
#
# See README.md for the rest.

CACHE      ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/sysgenid
BUILD      ?= $(CURDIR)/build
KERNEL_SRC ?=
TREE       := $(BUILD)/linux
OBJ        := $(BUILD)/obj-guest
VMLINUX    := $(OBJ)/vmlinux
H          := $(CURDIR)/harness

CMD       ?= uname -a
FILES     ?=
QEMU_ARGS ?=
TIMEOUT   ?= 300

export CACHE BUILD TREE OBJ VMLINUX QEMU_ARGS TIMEOUT KERNEL_SRC

.PHONY: all demo check bench mutate deps base tree export outgoing kernel vm-run shell clean

all: demo

deps:
	@$(H)/deps.sh

# The base kernel: KERNEL_SRC, or Debian's newest linux-source-7.x.
base: deps
	@$(H)/base.sh >/dev/null

tree: base
	@$(H)/tree.sh $(CURDIR) $(TREE) "$$($(H)/base.sh)"

export:
	@$(H)/export.sh $(TREE) $(CURDIR)
	@MARK=1 $(H)/tree.sh $(CURDIR) $(TREE) -
	@echo "export: $$(wc -l < series) patches in patches/, mirror updated"

# The mail-ready series in build/outgoing, as the sender in git config.
outgoing: tree
	@$(H)/outgoing.sh $(TREE) $(CURDIR) $(BUILD)/outgoing

kernel: tree
	@$(H)/timed.sh "build guest kernel" $(H)/build-kernel.sh $(TREE) $(OBJ) \
		tinyconfig $(H)/guest.config -- vmlinux modules

vm-run: kernel
	@$(H)/vm-run.sh $(VMLINUX) $(BUILD)/vm '$(CMD)' $(FILES)

shell: kernel
	@INTERACTIVE=1 $(H)/vm-run.sh $(VMLINUX) $(BUILD)/vm 'exec setsid cttyhack sh' $(FILES)

check: deps
	@$(H)/check.sh

demo: kernel
	@$(H)/demo.sh

bench: kernel
	@$(H)/bench.sh

# Break the driver one line at a time and show which stage catches it.
mutate: kernel
	@$(H)/mutate.sh

clean:
	rm -rf $(BUILD)
