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
