# pktpath: build, demo and tests. Each target installs what it needs on Debian/Ubuntu.
SWIFT ?= swift
APT := $(shell command -v apt-get 2>/dev/null)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build demo test test-asan test-tsan clean

# libpcap's headers (the CPcap system library) are all a build needs.
deps:
	@pkg-config --exists libpcap 2>/dev/null || { \
	  [ -n "$(APT)" ] || { echo "pktpath: install libpcap's development files (libpcap-dev)" >&2; exit 2; }; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libpcap-dev pkg-config; }

build: deps
	$(SWIFT) build -c release

# Traces a bundled capture (a TCP connection recorded between namespaces) on the inferred host
# (default driver iwlwifi).
demo: build
	.build/release/pktpath trace Fixtures/tcp_handshake.pcap

# The host-snapshot tests build a network namespace (root): they need iproute2's ip and ss, and sysctl.
test: deps
	@missing=""; for t in ip:iproute2 ss:iproute2 sysctl:procps; do \
	  command -v $${t%%:*} >/dev/null 2>&1 || missing="$$missing $${t#*:}"; done; \
	if [ -n "$$missing" ] && [ -n "$(APT)" ] && [ "$$(id -u)" = 0 ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	$(SWIFT) test

# The test suite built with AddressSanitizer (test-asan) or ThreadSanitizer (test-tsan), each in its own
# build folder (.build-asan, .build-tsan). The tests that run the pktpath command run the sanitized
# binary of that folder (PKTPATH_EXECUTABLE), so a finding in the command fails them too. ASan keeps
# 16 MB of freed memory in quarantine instead of 256 (the hostile-capture tests bound the replay's
# memory growth, and would count the quarantine as the model's); leaks inside the toolchain's own
# libraries that the test harness meets are suppressed (Tools/sanitizers/lsan.supp says which).
SANITIZE_asan := address
SANITIZE_tsan := thread
SANITIZER_ENV_asan := ASAN_OPTIONS=quarantine_size_mb=16 LSAN_OPTIONS=suppressions=$(CURDIR)/Tools/sanitizers/lsan.supp
test-asan test-tsan: test-%: deps
	$(SWIFT) build --build-tests --scratch-path .build-$* --sanitize=$(SANITIZE_$*)
	PKTPATH_EXECUTABLE=$$($(SWIFT) build --scratch-path .build-$* --show-bin-path)/pktpath $(SANITIZER_ENV_$*) \
	  $(SWIFT) test --skip-build --scratch-path .build-$* --sanitize=$(SANITIZE_$*)

clean:
	rm -rf .build .build-asan .build-tsan .build-fuzz

# Speed benchmark (issue 5; results in docs/performance.md): a bare libpcap loop, tcpdump, tshark and
# pktpath on one large generated capture, cached in $(BENCH_DIR)/. Takes several minutes.
BENCH_DIR ?= bench-data
.PHONY: bench
bench: deps
	@missing=""; for t in /usr/bin/time:time tcpdump:tcpdump tshark:tshark cc:gcc python3:python3; do \
	  command -v $${t%%:*} >/dev/null 2>&1 || missing="$$missing $${t#*:}"; done; \
	[ -z "$$missing" ] || { \
	  [ -n "$(APT)" ] || { echo "pktpath: make bench needs:$$missing" >&2; exit 2; }; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; }
	SWIFT=$(SWIFT) BENCH_DIR=$(BENCH_DIR) bash Tools/bench.sh

# libFuzzer (Tools/fuzz/run.sh): builds with -sanitize=fuzzer,address in .build-fuzz and fuzzes each
# target in turn, SECONDS each: capture files, single frames, host profiles, --set overrides, trace
# files for diff, pcap-filter expressions. Findings land in .build-fuzz/findings/TARGET/, minimized;
# see Tests/EndToEndTests/FuzzCorpus. One target: Tools/fuzz/run.sh TARGET SECONDS.
SECONDS ?= 120
.PHONY: fuzz
fuzz: deps
	SWIFT=$(SWIFT) bash Tools/fuzz/run.sh all $(SECONDS)

# Checks every modeled function and call edge against Debian's 6.1 and 6.12 kernel trees (fetched with
# apt into $(KERNEL_TREES), net/ include/ drivers/net/ only), and a 4.14 tree when one has been put at
# $(KERNEL_TREES)/linux-4.14. A tree that cannot be fetched is skipped; an unverified edge fails.
KERNEL_TREES ?= $(HOME)/.cache/pktpath-kernel-trees
.PHONY: check-edges
check-edges: deps
	$(SWIFT) build --product pktpath
	@set -e; bin=$$($(SWIFT) build --show-bin-path)/pktpath; \
	for v in 6.1 6.12; do \
	  tree=$$(Tools/fetch-kernel-tree.sh $$v $(KERNEL_TREES)) || { echo "check-edges: no $$v tree, skipped"; continue; }; \
	  echo "== Linux $$v ($$tree)"; Tools/check-kernel-edges "$$tree" --kernel $$v --pktpath "$$bin"; \
	done; \
	if [ -d $(KERNEL_TREES)/linux-4.14/net ]; then \
	  echo "== Linux 4.14"; Tools/check-kernel-edges $(KERNEL_TREES)/linux-4.14 --kernel 4.14 --pktpath "$$bin"; \
	else echo "check-edges: no 4.14 tree at $(KERNEL_TREES)/linux-4.14, skipped"; fi
