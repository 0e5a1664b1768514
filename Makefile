# pktpath: build, demo and tests. Each target installs what it needs on Debian/Ubuntu.
SWIFT ?= swift
APT := $(shell command -v apt-get 2>/dev/null)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps build demo test clean

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

test: deps
	$(SWIFT) test

clean:
	rm -rf .build

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

# libFuzzer (Tools/fuzz/run.sh): builds with -sanitize=fuzzer,address in .build-fuzz and fuzzes captures,
# then single frames, SECONDS each. Findings land in .build-fuzz/findings/; see Tests/EndToEndTests/FuzzCorpus.
SECONDS ?= 600
.PHONY: fuzz
fuzz: deps
	SWIFT=$(SWIFT) bash Tools/fuzz/run.sh all $(SECONDS)
