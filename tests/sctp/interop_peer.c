/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A usrsctp peer that uses usrsctp's OWN UDP encapsulation (threaded usrsctp_init(port)), run as a
 * separate process by tst_sctp_interop: it accepts one association on 127.0.0.1:SCTP_PORT,
 * echoes every message back prefixed with "echo:", and exits 0 after the peer's graceful
 * shutdown. Usage: interop_peer UDP_PORT SCTP_PORT */
#include <usrsctp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: interop_peer UDP_PORT SCTP_PORT\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    const uint16_t udpPort = (uint16_t)atoi(argv[1]);
    const uint16_t sctpPort = (uint16_t)atoi(argv[2]);
    usrsctp_init(udpPort, NULL, NULL);
    usrsctp_sysctl_set_sctp_pr_enable(1);
    struct socket* listener = usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
    if (!listener) {
        perror("usrsctp_socket");
        return 1;
    }
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(sctpPort);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (usrsctp_bind(listener, (struct sockaddr*)&sin, sizeof sin) != 0 || usrsctp_listen(listener, 1) != 0) {
        perror("bind/listen");
        return 1;
    }
    printf("ready udp %u sctp %u\n", udpPort, sctpPort);
    struct socket* conn = usrsctp_accept(listener, NULL, NULL);
    if (!conn) {
        perror("accept");
        return 1;
    }
    printf("accepted\n");
    const int on = 1;
    usrsctp_setsockopt(conn, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on);
    static char buf[1 << 17];
    unsigned long total = 0, messages = 0;
    for (;;) {
        struct sctp_rcvinfo rcv;
        socklen_t infolen = sizeof rcv;
        unsigned int infotype = 0;
        int flags = 0;
        struct sockaddr_in from;
        socklen_t fromlen = sizeof from;
        ssize_t n = usrsctp_recvv(conn, buf + 5, sizeof buf - 5, (struct sockaddr*)&from, &fromlen, &rcv, &infolen,
            &infotype, &flags);
        if (n <= 0)
            break;
        total += (unsigned long)n;
        if (!(flags & MSG_EOR))
            continue; /* the echo of a large message goes back in pieces; fine for the byte count */
        ++messages;
        memcpy(buf, "echo:", 5);
        struct sctp_sndinfo snd;
        memset(&snd, 0, sizeof snd);
        snd.snd_sid = rcv.rcv_sid;
        snd.snd_ppid = rcv.rcv_ppid;
        if (usrsctp_sendv(conn, buf, (size_t)n + 5, NULL, 0, &snd, sizeof snd, SCTP_SENDV_SNDINFO, 0) < 0) {
            perror("sendv");
            break;
        }
    }
    printf("received %lu bytes in %lu messages; peer shut down\n", total, messages);
    usrsctp_close(conn);
    usrsctp_close(listener);
    for (int i = 0; i < 500 && usrsctp_finish() != 0; ++i)
        usleep(10000);
    printf("done\n");
    return 0;
}
