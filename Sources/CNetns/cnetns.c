#define _GNU_SOURCE
#include <sched.h>
#include <unistd.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include "cnetns.h"

int cnetns_enter(int fd) {
    return setns(fd, CLONE_NEWNET);
}

int cnetns_bind_packet(int fd, int ifindex) {
    struct sockaddr_ll address;
    memset(&address, 0, sizeof address);
    address.sll_family = AF_PACKET;
    address.sll_ifindex = ifindex;
    return bind(fd, (struct sockaddr *)&address, sizeof address);
}

int cnetns_thread_id(void) {
    return gettid();
}
