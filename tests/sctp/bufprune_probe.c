// SPDX-License-Identifier: GPL-3.0-or-later
// What usrsctp (the installed library) does with PR-SCTP BUF when the send buffer is full, on a
// plain AF_CONN pair in one thread (usrsctp_init_nothreads, packets handed back from a queue).
// The client fills a 20000-byte send buffer with 1500-byte BUF messages of priority 5 while the
// link towards the server drops everything, then sends one more message:
//   probe MODE PRIO FILL WARM
//   MODE 0: a non-blocking send as usual; MODE 1: the same with SCTP_EXPLICIT_EOR and SCTP_EOR.
//   PRIO: the new message's BUF value. WARM: BUF messages acknowledged before the fill.
// It prints the send's result, every SEND_FAILED notification and a RESULT line; the ctest
// cases in CMakeLists.txt check them (see the report of issue 4 for what they prove).
#include <usrsctp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <arpa/inet.h>

static char anchor;
typedef struct { char *buf; size_t len; } pkt;
static pkt q[100000]; static int qn = 0;
static int drop_c2s = 0;
static unsigned short client_port = 6001;
static int fwd_tsn_seen = 0;
static int send_failed = 0;

static int out(void *addr, void *buffer, size_t length, uint8_t tos, uint8_t df) {
    (void)addr; (void)tos; (void)df;
    unsigned short src = ntohs(*(unsigned short*)buffer);
    const unsigned char *p = buffer;
    for (size_t at = 12; at + 4 <= length;) { unsigned t = p[at]; unsigned l = (p[at+2]<<8)|p[at+3]; if (t==0xc0) fwd_tsn_seen++; if (l<4) break; at += (l+3)&~3u; }
    if (drop_c2s && src == client_port) return 0;
    q[qn].buf = malloc(length); memcpy(q[qn].buf, buffer, length); q[qn].len = length; qn++;
    return 0;
}
static void pump(int rounds)
{
    for (int r = 0; r < rounds; r++) {
        int n = qn; pkt tmp[4096]; if (n > 4096) n = 4096;
        memcpy(tmp, q, n*sizeof(pkt)); memmove(q, q+n, (qn-n)*sizeof(pkt)); qn -= n;
        for (int i = 0; i < n; i++) { usrsctp_conninput(&anchor, tmp[i].buf, tmp[i].len, 0); free(tmp[i].buf); }
        usrsctp_handle_timers(10);
    }
}
static struct socket* mk(unsigned short port) {
    struct socket *so = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0, NULL);
    struct sctp_assoc_value av = { SCTP_FUTURE_ASSOC, 1 };
    usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_PR_SUPPORTED, &av, sizeof av);
    int on = 1; usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof on);
    struct sctp_event ev = {0}; ev.se_assoc_id = SCTP_FUTURE_ASSOC; ev.se_type = SCTP_SEND_FAILED_EVENT; ev.se_on = 1;
    usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof ev);
    struct sockaddr_conn a = {0}; a.sconn_family = AF_CONN; a.sconn_port = htons(port); a.sconn_addr = &anchor;
    usrsctp_bind(so, (struct sockaddr*)&a, sizeof a);
    return so;
}
static ssize_t sendbuf(struct socket *so, int len, int prio, unsigned ctx, int flags) {
    char data[70000]; memset(data, 'a', len);
    struct sctp_sendv_spa spa = {0};
    spa.sendv_flags = SCTP_SEND_SNDINFO_VALID | SCTP_SEND_PRINFO_VALID;
    spa.sendv_sndinfo.snd_context = ctx; spa.sendv_sndinfo.snd_flags = flags;
    spa.sendv_prinfo.pr_policy = prio < 0 ? 0 : SCTP_PR_SCTP_BUF; spa.sendv_prinfo.pr_value = prio < 0 ? 0 : prio;
    if (prio < 0) spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
    return usrsctp_sendv(so, data, len, NULL, 0, &spa, sizeof spa, SCTP_SENDV_SPA, 0);
}
static void drain_notes(struct socket *so) {
    char buf[80000];
    for (;;) {
        int flags = 0; struct sctp_rcvinfo rcv; socklen_t il = sizeof rcv; unsigned it = 0; socklen_t fl = 0;
        ssize_t n = usrsctp_recvv(so, buf, sizeof buf, NULL, &fl, &rcv, &il, &it, &flags);
        if (n <= 0) break;
        if (flags & MSG_NOTIFICATION) {
            union sctp_notification *sn = (void*)buf;
            if (sn->sn_header.sn_type == SCTP_SEND_FAILED_EVENT) {
                struct sctp_send_failed_event *f = &sn->sn_send_failed_event;
                send_failed++;
                printf("  SEND_FAILED ctx=%u flags=%s len=%u\n", f->ssfe_info.snd_context, (f->ssfe_flags & SCTP_DATA_SENT) ? "SENT" : "UNSENT", f->ssfe_length - (unsigned)sizeof *f);
            }
        }
    }
}
int main(int argc, char **argv) {
    int mode = argc > 1 ? atoi(argv[1]) : 0;
    int newprio = argc > 2 ? atoi(argv[2]) : 1; int fill = argc > 3 ? atoi(argv[3]) : 1000;
    usrsctp_init_nothreads(0, out, NULL);
    usrsctp_sysctl_set_sctp_pr_enable(1);
    usrsctp_register_address(&anchor);
    struct socket *l = mk(6000), *c = mk(client_port);
    int sb = 20000; usrsctp_setsockopt(c, SOL_SOCKET, SO_SNDBUF, &sb, sizeof sb);
    usrsctp_listen(l, 1);
    struct sockaddr_conn peer = {0}; peer.sconn_family = AF_CONN; peer.sconn_port = htons(6000); peer.sconn_addr = &anchor;
    usrsctp_set_non_blocking(c, 1);
    usrsctp_connect(c, (struct sockaddr*)&peer, sizeof peer);
    struct socket *s = NULL;
    for (int i = 0; i < 50 && !s; i++) { pump(1); usrsctp_set_non_blocking(l, 1); s = usrsctp_accept(l, NULL, NULL); } if (s) usrsctp_set_non_blocking(s, 1);
    pump(5);
    printf("established: %s\n", s ? "yes" : "no");
    int warm = argc > 4 ? atoi(argv[4]) : 0;
    for (int i = 0; i < warm; i++) sendbuf(c, 100, 9, 1000 + i, 0);
    pump(20);
    drain_notes(c);
    drop_c2s = 1;
    int accepted = 0; ssize_t r;
    for (unsigned ctx = 1; ; ctx++) { r = sendbuf(c, fill, 5, ctx, 0); if (r < 0) { printf("fill: ctx %u -> errno %d (%s)\n", ctx, errno, strerror(errno)); break; } accepted++; }
    printf("accepted %d BUF prio-5 messages of 1000 bytes\n", accepted);
    pump(1);
    if (mode == 0) {
        r = sendbuf(c, 1000, newprio, 100, 0);
        printf("non-blocking non-EOR prio %d send: %zd errno %d\n", newprio, r, r < 0 ? errno : 0);
    } else if (mode == 1) {
        int on = 1; int rc = usrsctp_setsockopt(c, IPPROTO_SCTP, SCTP_EXPLICIT_EOR, &on, sizeof on);
        printf("explicit EOR on: %d\n", rc);
        r = sendbuf(c, 1000, newprio, 100, SCTP_EOR);
        printf("non-blocking EOR prio %d send: %zd errno %d\n", newprio, r, r < 0 ? errno : 0);
        r = sendbuf(c, 3000, newprio, 101, SCTP_EOR);
        printf("non-blocking EOR prio %d 3000-byte send: %zd errno %d\n", newprio, r, r < 0 ? errno : 0);
    }
    drain_notes(c);
    drop_c2s = 0;
    pump(300);
    drain_notes(c);
    printf("FORWARD-TSN chunks seen on the wire: %d\n", fwd_tsn_seen);
    printf("RESULT mode=%d prio=%d warm=%d send_failed=%d forward_tsn=%d\n", mode, newprio, warm, send_failed, fwd_tsn_seen);
    return 0;
}
