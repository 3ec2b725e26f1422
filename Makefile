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

.PHONY: all help demo check bench mutate deps base tree export readme outgoing kernel vm-run shell clean

all: demo

# Every target and every knob, with its default.
help:
	@echo 'Targets:'
	@echo '  demo (default)  snapshot/restore demo: clones side by side, the restore window'
	@echo '  check           every stage; ends with "N passed, N failed"'
	@echo '  bench           sysgenid_bench in the guest and the restore window; build/bench.json'
	@echo '  mutate          break one line at a time; each mutant must fail the test it names'
	@echo '  deps            install the Debian packages the harness needs (apt-get --no-remove)'
	@echo '  base            fetch the base kernel (Debian linux-source-7.3 or KERNEL_SRC)'
	@echo '  tree            build/linux: the base with the series applied as commits'
	@echo '  export          patches/, series and the mirror from build/linux'
	@echo '  readme          regenerate the README'"'"'s stage table from the stage headers'
	@echo '  outgoing        build/outgoing/<topic>: each topic series as mail, as the git config sender'
	@echo '  kernel          the guest kernel (tinyconfig + harness/config/guest.config)'
	@echo '  vm-run          run CMD in a guest (FILES copied in); make fails if CMD fails'
	@echo '  shell           an interactive guest shell'
	@echo '  clean           remove build/'
	@echo 'Knobs (make VAR=value or environment), default in brackets:'
	@echo '  KERNEL_SRC      another kernel tree, git or plain [Debian linux-source-7.3 7.3.4]'
	@echo '  BASE_PKG, BASE_VERSION  the Debian package and version [linux-source-7.3, 7.3.4]'
	@echo '  CACHE           base tree, tool root, apt lists [~/.cache/sysgenid]'
	@echo '  BUILD           work tree and object directories [./build]'
	@echo '  FORCE=1         make tree: rebuild build/linux from the base and the series [0]'
	@echo '  CMD, FILES      vm-run: the command and files for the guest [uname -a, none]'
	@echo '  QEMU_ARGS       extra QEMU arguments for vm-run and shell [none]'
	@echo '  TIMEOUT         seconds before a vm-run guest is killed [300]'
	@echo '  MEM, APPEND     guest MiB and kernel command line tail [512, quiet]'
	@echo '  KVM=1           try KVM instead of TCG [unset]'
	@echo '  VMM             vm-run, shell: debian (QEMU 7.2) or patched (QEMU 10.0 + harness/qemu, after make check STAGES=qemu) [debian]'
	@echo '  STRESS_SECONDS  the debug stage stress run [60; mutate: 20]'
	@echo '  STAGES          check: only these stages, e.g. "kunit sparse" [all]'
	@echo '  AHEAD=0         check: no builds ahead (QEMU, arm64, debug kernels), no stages beside: all in line [1]'
	@echo '  MUTANTS         make mutate: only these mutants [all]'
	@echo '  BENCH_REPS, BENCH_MAX, BENCH_TIMEOUT  sysgenid_bench [7, 10000, 540 s]'
	@echo '  BENCH_CALLS     calls per run of the getrandom() timing [20000]'
	@echo '  WINDOW_LEAK_RESTORES  restore-window: restores of one snapshot in the 1+leak run [20]'
	@echo '  WINDOW_CAP, WINDOW_PACE_US  outputs kept per generator after a restore, pace [1000, 200]'
	@echo '  ALLOWED_SKIPS   the list of tests that may skip [harness/allowed-skips]'
	@echo '  KMAKE_ARGS      extra arguments for the kernel make [none]'
	@echo '  CCACHE_DEPEND   ccache depend mode: compile once on a miss, no preprocessor run [1]'
	@echo '  EXTRA_PKGS      more Debian packages for make deps [none]'

deps:
	@$(H)/deps.sh

# The base kernel: KERNEL_SRC, or Debian's newest linux-source-7.x.
base: deps
	@$(H)/base.sh >/dev/null

tree: base
	@$(H)/tree.sh $(CURDIR) $(TREE) "$$($(H)/base.sh)"

readme:
	@$(H)/readme.sh update README.md

export:
	@$(H)/export.sh $(TREE) $(CURDIR)
	@MARK=1 $(H)/tree.sh $(CURDIR) $(TREE) -
	@echo "export: $$(wc -l < series) patches in patches/, mirror updated"

# The mail-ready series in build/outgoing, as the sender in git config.
outgoing: tree
	@$(H)/outgoing.sh $(TREE) $(CURDIR) $(BUILD)/outgoing

kernel: tree
	@$(H)/timed.sh "build guest kernel" $(H)/build-kernel.sh $(TREE) $(OBJ) \
		tinyconfig $(H)/config/guest.config -- vmlinux modules

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
