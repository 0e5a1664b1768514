// What Swift's Glibc module does not export for `pktpath verify`: setns(2) and gettid(2) (_GNU_SOURCE
// declarations) and AF_PACKET's socket address (linux/if_packet.h).
#ifndef CNETNS_H
#define CNETNS_H

/// Moves the calling thread into the network namespace `fd` refers to; 0 or -1 with errno, as setns(2).
int cnetns_enter(int fd);

/// Binds the AF_PACKET socket `fd` to the interface `ifindex`; 0 or -1 with errno, as bind(2).
int cnetns_bind_packet(int fd, int ifindex);

/// The calling thread's id, as tracefs records it (`common_pid`).
int cnetns_thread_id(void);

#endif
