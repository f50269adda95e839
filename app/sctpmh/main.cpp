// SPDX-License-Identifier: GPL-3.0-or-later
// ladderlab-sctp-mh: the multi-homed half of the SCTP lab, in a process of its own.
//
// Why a separate process: the app's usrsctp runs single-threaded over AF_CONN, and an AF_CONN
// association has exactly one path (a second AF_CONN address in bindx is EAFNOSUPPORT; connectx
// takes AF_INET/AF_INET6 only). A real multi-homed association needs usrsctp's own UDP
// encapsulation (RFC 6951) over real interface addresses, which needs the threaded usrsctp_init —
// and usrsctp can be initialised only once per process, in one mode.
//
// What it runs: two one-to-many endpoints, a client (SCTP port 5001) and a server (5000), each
// bound to both loopback addresses, 127.0.0.1 and ::1 — two paths that exist on every Linux host
// without privileges. Every packet goes to a UDP "reflector" port the parent owns on the
// destination address (SCTP_REMOTE_UDP_ENCAPS_PORT); the parent journals it, runs it through that
// path's emulated lab link (loss, delay, path failure) and sends it back to our encapsulation port.
// So the parent sees and shapes every packet of both paths, and usrsctp does real path
// management: heartbeats, RTO per path, failover, SCTP_ADDR_OVER.
//
// The parent drives us with one command per line on stdin and reads one report per line on
// stdout (protocol in stack/sctp/multihome/multihomedpair.h).
#include "core/hex.h"

#include <usrsctp.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr uint16_t kServerPort = 5000;
constexpr uint16_t kClientPort = 5001;

std::mutex g_out;
void report(const char* fmt, ...)
{
    std::lock_guard lock(g_out);
    va_list ap;
    va_start(ap, fmt);
    std::vfprintf(stdout, fmt, ap);
    va_end(ap);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

// "127.0.0.1:5000" / "[::1]:5000" (snprintf: GCC 12 at -O3 warns falsely about string concatenation).
std::string addrText(const sockaddr* sa)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    char out[INET6_ADDRSTRLEN + 16];
    if (sa->sa_family == AF_INET) {
        auto* in = reinterpret_cast<const sockaddr_in*>(sa);
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        std::snprintf(out, sizeof out, "%s:%u", ip, unsigned(ntohs(in->sin_port)));
        return out;
    }
    if (sa->sa_family == AF_INET6) {
        auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        std::snprintf(out, sizeof out, "[%s]:%u", ip, unsigned(ntohs(in6->sin6_port)));
        return out;
    }
    return "?";
}

// The two loopback addresses with a port, packed the way bindx/connectx want them.
std::vector<char> bothLoopbacks(uint16_t port)
{
    sockaddr_in v4 {};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &v4.sin_addr);
    sockaddr_in6 v6 {};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    inet_pton(AF_INET6, "::1", &v6.sin6_addr);
    std::vector<char> out(sizeof v4 + sizeof v6);
    std::memcpy(out.data(), &v4, sizeof v4);
    std::memcpy(out.data() + sizeof v4, &v6, sizeof v6);
    return out;
}

bool parseAddress(const std::string& host, uint16_t port, sockaddr_storage& out, socklen_t& len)
{
    std::memset(&out, 0, sizeof out);
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        len = sizeof(sockaddr_in);
        return true;
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
    if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        len = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

// "HOST:PORT,[V6]:PORT,…" (a bare HOST takes defaultPort) → the addresses packed the way
// SCTP_CONNECT_X(_DELAYED) wants them: an int count, then sockaddr_in/sockaddr_in6 back to back.
// false for an empty item, an unparsable one or a port that is not a number.
bool parseList(const std::string& text, uint16_t defaultPort, std::vector<char>& packed, int& count,
    sockaddr_storage& first, socklen_t& firstLen)
{
    packed.assign(sizeof(int), 0);
    count = 0;
    size_t at = 0;
    for (;;) {
        const size_t comma = text.find(',', at);
        const std::string item = text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        if (item.empty())
            return false;
        std::string host = item;
        uint16_t port = defaultPort;
        const size_t close = item.find(']');
        const size_t colon = item.rfind(':');
        const bool bracketed = item[0] == '[';
        if (bracketed && close == std::string::npos)
            return false;
        // A port follows "]:" for [V6]:PORT, or the only colon for V4:PORT.
        if ((bracketed && colon == close + 1) || (!bracketed && colon != std::string::npos && item.find(':') == colon)) {
            char* end = nullptr;
            const unsigned long v = std::strtoul(item.c_str() + colon + 1, &end, 10);
            if (*end != '\0' || v == 0 || v > 65535 || colon + 1 == item.size())
                return false;
            port = uint16_t(v);
            host = item.substr(0, colon);
        }
        if (bracketed)
            host = host.substr(1, host.find(']') - 1);
        sockaddr_storage a {};
        socklen_t len = 0;
        if (!parseAddress(host, port, a, len))
            return false;
        if (count == 0) {
            first = a;
            firstLen = len;
        }
        const char* bytes = reinterpret_cast<const char*>(&a);
        packed.insert(packed.end(), bytes, bytes + len);
        ++count;
        if (comma == std::string::npos)
            break;
        at = comma + 1;
    }
    std::memcpy(packed.data(), &count, sizeof count);
    return count > 0;
}

const char* pathStateName(uint32_t state)
{
    switch (state) {
    case SCTP_ADDR_AVAILABLE: return "available";
    case SCTP_ADDR_UNREACHABLE: return "unreachable";
    case SCTP_ADDR_REMOVED: return "removed";
    case SCTP_ADDR_ADDED: return "added";
    case SCTP_ADDR_MADE_PRIM: return "made-primary";
    case SCTP_ADDR_CONFIRMED: return "confirmed";
    default: return "changed";
    }
}

const char* assocStateName(uint16_t state)
{
    switch (state) {
    case SCTP_COMM_UP: return "COMM_UP";
    case SCTP_COMM_LOST: return "COMM_LOST";
    case SCTP_RESTART: return "RESTART";
    case SCTP_SHUTDOWN_COMP: return "SHUTDOWN_COMP";
    case SCTP_CANT_STR_ASSOC: return "CANT_STR_ASSOC";
    default: return "CHANGED";
    }
}

struct Side {
    const char* name;
    struct socket* so = nullptr;
    std::atomic<uint32_t> assoc { 0 };
};
Side g_client { "client" };
Side g_server { "server" };
std::atomic<bool> g_quit { false };

// One report line per notification: "note SIDE TYPE ASSOC text…" (text as the app's own endpoints
// word it, so the timeline reads the same for both kinds of association).
void notification(Side& side, const char* buf, size_t len)
{
    const auto* n = reinterpret_cast<const sctp_notification*>(buf);
    if (len < sizeof n->sn_header)
        return;
    switch (n->sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE: {
        const sctp_assoc_change& ac = n->sn_assoc_change;
        if (ac.sac_state == SCTP_COMM_UP || ac.sac_state == SCTP_RESTART)
            side.assoc = ac.sac_assoc_id;
        report("note %s %u %u ASSOC_CHANGE %s: %u inbound and %u outbound streams", side.name, SCTP_ASSOC_CHANGE,
            ac.sac_assoc_id, assocStateName(ac.sac_state), ac.sac_inbound_streams, ac.sac_outbound_streams);
        break;
    }
    case SCTP_PEER_ADDR_CHANGE: {
        const sctp_paddr_change& pc = n->sn_paddr_change;
        report("note %s %u %u PEER_ADDR_CHANGE %s: %s (error %u)", side.name, SCTP_PEER_ADDR_CHANGE, pc.spc_assoc_id,
            addrText(reinterpret_cast<const sockaddr*>(&pc.spc_aaddr)).c_str(), pathStateName(pc.spc_state),
            pc.spc_error);
        break;
    }
    case SCTP_SEND_FAILED_EVENT: {
        const sctp_send_failed_event& sf = n->sn_send_failed_event;
        report("note %s %u %u SEND_FAILED: message with context %u on stream %u abandoned (%s)", side.name,
            SCTP_SEND_FAILED_EVENT, sf.ssfe_assoc_id, sf.ssfe_info.snd_context, sf.ssfe_info.snd_sid,
            (sf.ssfe_flags & SCTP_DATA_SENT) ? "sent" : "unsent");
        break;
    }
    case SCTP_SHUTDOWN_EVENT:
        report("note %s %u %u SHUTDOWN_EVENT: the peer will send no more data", side.name, SCTP_SHUTDOWN_EVENT,
            n->sn_shutdown_event.sse_assoc_id);
        break;
    case SCTP_REMOTE_ERROR:
        report("note %s %u %u REMOTE_ERROR: the peer reported cause %u", side.name, SCTP_REMOTE_ERROR,
            n->sn_remote_error.sre_assoc_id, ntohs(n->sn_remote_error.sre_error));
        break;
    case SCTP_SENDER_DRY_EVENT:
        report("note %s %u %u SENDER_DRY: everything sent was acknowledged", side.name, SCTP_SENDER_DRY_EVENT,
            n->sn_sender_dry_event.sender_dry_assoc_id);
        break;
    default:
        report("note %s %u 0 notification type %u", side.name, n->sn_header.sn_type, n->sn_header.sn_type);
        break;
    }
}

// Drains both sockets (non-blocking) every few milliseconds: one thread, no blocking calls, so
// shutdown never waits on a reader stuck in usrsctp.
void receiveLoop()
{
    std::vector<char> buf(1 << 17);
    while (!g_quit) {
        bool any = false;
        for (Side* side : { &g_client, &g_server }) {
            if (!side->so)
                continue; // endpoint mode runs one socket
            for (;;) {
                sockaddr_storage from {};
                socklen_t fromLen = sizeof from;
                sctp_rcvinfo rcv {};
                socklen_t infoLen = sizeof rcv;
                unsigned int infoType = 0;
                int flags = 0;
                const ssize_t n = usrsctp_recvv(side->so, buf.data(), buf.size(), reinterpret_cast<sockaddr*>(&from),
                    &fromLen, &rcv, &infoLen, &infoType, &flags);
                if (n < 0)
                    break;
                any = true;
                if (flags & MSG_NOTIFICATION) {
                    notification(*side, buf.data(), size_t(n));
                    continue;
                }
                // "recv SIDE ASSOC SID SSN PPID TSN UNORDERED LEN FROM HEX" (HEX: the message, in
                // full up to 64 KiB, for echoes and ladderctl's printout).
                static const char digits[] = "0123456789abcdef";
                std::string hex;
                const size_t shown = std::min<size_t>(size_t(n), 65536);
                hex.reserve(shown * 2);
                for (size_t i = 0; i < shown; ++i) {
                    hex.push_back(digits[uint8_t(buf[i]) >> 4]);
                    hex.push_back(digits[uint8_t(buf[i]) & 15]);
                }
                report("recv %s %u %u %u %u %u %d %zd %s %s", side->name, rcv.rcv_assoc_id, rcv.rcv_sid, rcv.rcv_ssn,
                    rcv.rcv_ppid, rcv.rcv_tsn, (rcv.rcv_flags & SCTP_UNORDERED) ? 1 : 0, n,
                    addrText(reinterpret_cast<const sockaddr*>(&from)).c_str(), hex.empty() ? "-" : hex.c_str());
            }
        }
        if (!any)
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

struct Tuning {
    uint32_t rtoInitial = 300, rtoMin = 100, rtoMax = 600; // ms
    uint32_t heartbeatMs = 300;
    uint16_t pathMaxRetrans = 2;
};

// One one-to-many socket bound to `hosts` ("127.0.0.1,::1") on `port`, every packet sent to UDP
// port remoteEncapsPort of the peer address (the parent's reflectors, or a real peer).
bool setUp(Side& side, uint16_t port, uint16_t remoteEncapsPort, const Tuning& t, const std::string& hosts)
{
    side.so = usrsctp_socket(AF_INET6, SOCK_SEQPACKET, IPPROTO_SCTP, nullptr, nullptr, 0, nullptr);
    if (!side.so) {
        report("error socket %s: %s", side.name, std::strerror(errno));
        return false;
    }
    usrsctp_set_non_blocking(side.so, 1);
    // Every packet to a peer address goes to the parent's reflector on that address.
    sctp_udpencaps encaps {};
    encaps.sue_port = htons(remoteEncapsPort);
    if (usrsctp_setsockopt(side.so, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &encaps, sizeof encaps) < 0) {
        report("error SCTP_REMOTE_UDP_ENCAPS_PORT: %s", std::strerror(errno));
        return false;
    }
    const int on = 1;
    usrsctp_setsockopt(side.so, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof on);
    sctp_assoc_value pr {};
    pr.assoc_id = SCTP_FUTURE_ASSOC;
    pr.assoc_value = 1;
    usrsctp_setsockopt(side.so, IPPROTO_SCTP, SCTP_PR_SUPPORTED, &pr, sizeof pr);
    const uint16_t events[] = { SCTP_ASSOC_CHANGE, SCTP_PEER_ADDR_CHANGE, SCTP_REMOTE_ERROR, SCTP_SHUTDOWN_EVENT,
        SCTP_SEND_FAILED_EVENT, SCTP_SENDER_DRY_EVENT };
    for (uint16_t type : events) {
        sctp_event ev {};
        ev.se_assoc_id = SCTP_FUTURE_ASSOC;
        ev.se_type = type;
        ev.se_on = 1;
        usrsctp_setsockopt(side.so, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof ev);
    }
    // Short timers so a lesson shows a path failing and coming back within seconds.
    sctp_rtoinfo rto {};
    rto.srto_assoc_id = SCTP_FUTURE_ASSOC;
    rto.srto_initial = t.rtoInitial;
    rto.srto_min = t.rtoMin;
    rto.srto_max = t.rtoMax;
    usrsctp_setsockopt(side.so, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof rto);
    sctp_paddrparams pp {};
    pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
    pp.spp_hbinterval = t.heartbeatMs;
    pp.spp_pathmaxrxt = t.pathMaxRetrans;
    pp.spp_flags = SPP_HB_ENABLE;
    usrsctp_setsockopt(side.so, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, sizeof pp);

    if (hosts == "*") {
        // Every address of the host (usrsctp's bound-all mode), on `port` or any.
        sockaddr_in6 any {};
        any.sin6_family = AF_INET6;
        any.sin6_port = htons(port);
        any.sin6_addr = in6addr_any;
        if (port && usrsctp_bind(side.so, reinterpret_cast<sockaddr*>(&any), sizeof any) < 0) {
            report("error bind %s to port %u: %s", side.name, port, std::strerror(errno));
            return false;
        }
        return true;
    }
    std::vector<char> packed;
    int count = 0;
    sockaddr_storage first {};
    socklen_t firstLen = 0;
    if (!parseList(hosts, port, packed, count, first, firstLen)) {
        report("error bad address list %s", hosts.c_str());
        return false;
    }
    if (usrsctp_bindx(side.so, reinterpret_cast<sockaddr*>(packed.data() + sizeof(int)), count, SCTP_BINDX_ADD_ADDR) < 0) {
        report("error bindx %s to %s port %u: %s", side.name, hosts.c_str(), port, std::strerror(errno));
        return false;
    }
    return true;
}

// "status": one "assoc" line per side and one "path" line per peer address, then "end".
void status()
{
    for (Side* side : { &g_client, &g_server }) {
        const uint32_t id = side->assoc;
        if (!id || !side->so)
            continue;
        sctp_status st {};
        st.sstat_assoc_id = id;
        socklen_t len = sizeof st;
        if (usrsctp_getsockopt(side->so, IPPROTO_SCTP, SCTP_STATUS, &st, &len) < 0)
            continue;
        // "assoc SIDE ID STATE IN OUT RWND UNACKED PENDING PRIMARY"
        report("assoc %s %u %d %u %u %u %u %u %s", side->name, id, st.sstat_state, st.sstat_instrms, st.sstat_outstrms,
            st.sstat_rwnd, st.sstat_unackdata, st.sstat_penddata,
            addrText(reinterpret_cast<const sockaddr*>(&st.sstat_primary.spinfo_address)).c_str());
        sockaddr* peers = nullptr;
        const int n = usrsctp_getpaddrs(side->so, id, &peers);
        const char* p = reinterpret_cast<const char*>(peers);
        for (int i = 0; i < n; ++i) {
            const auto* sa = reinterpret_cast<const sockaddr*>(p);
            const size_t saLen = sa->sa_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
            sctp_paddrinfo pi {};
            pi.spinfo_assoc_id = id;
            std::memcpy(&pi.spinfo_address, sa, saLen);
            socklen_t piLen = sizeof pi;
            if (usrsctp_getsockopt(side->so, IPPROTO_SCTP, SCTP_GET_PEER_ADDR_INFO, &pi, &piLen) == 0) {
                // "path SIDE ID ADDRESS STATE RTO SRTT CWND MTU"
                report("path %s %u %s %d %u %u %u %u", side->name, id, addrText(sa).c_str(), pi.spinfo_state,
                    pi.spinfo_rto, pi.spinfo_srtt, pi.spinfo_cwnd, pi.spinfo_mtu);
            }
            p += saLen;
        }
        if (n > 0)
            usrsctp_freepaddrs(peers);
    }
    report("end");
}

// The words send and sendx share: "SEQ FLAGS SID PPID CONTEXT POLICY VALUE TARGET HEX".
struct Message {
    unsigned long seq = 0, flags = 0, sid = 0, ppid = 0, context = 0, policy = 0, value = 0;
    std::string target;
    std::string data;
};

bool readMessage(std::istringstream& in, Message& m)
{
    std::string hex;
    in >> m.seq >> m.flags >> m.sid >> m.ppid >> m.context >> m.policy >> m.value >> m.target >> hex;
    if (!in)
        return false;
    if (hex == "-")
        return true;
    return ladder::hex::decode(hex, &m.data);
}

// usrsctp_sendv of one message on the side's socket, to `dest` if given (else its association);
// answers "sent SEQ BYTES ERRNO".
void sendMessage(Side& side, const Message& m, sockaddr* dest, uint32_t assoc = 0)
{
    sctp_sendv_spa spa {};
    spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
    spa.sendv_sndinfo.snd_sid = uint16_t(m.sid);
    spa.sendv_sndinfo.snd_flags = uint16_t(m.flags & ~0xfUL);
    spa.sendv_sndinfo.snd_ppid = uint32_t(m.ppid); // without regard to byte order, as sctp_sendmsg(3)
    spa.sendv_sndinfo.snd_context = uint32_t(m.context);
    spa.sendv_sndinfo.snd_assoc_id = dest ? 0 : assoc ? assoc : side.assoc.load();
    if (m.policy) {
        spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
        spa.sendv_prinfo.pr_policy = uint16_t(m.policy);
        spa.sendv_prinfo.pr_value = uint32_t(m.value);
    }
    const ssize_t n = usrsctp_sendv(side.so, m.data.data(), m.data.size(), dest, dest ? 1 : 0, &spa, sizeof spa,
        SCTP_SENDV_SPA, 0);
    report("sent %lu %zd %d", m.seq, n, n < 0 ? errno : 0);
}

// "send SEQ FLAGS SID PPID CONTEXT POLICY VALUE TO HEX": sctp_sendmsg on the side's (newest)
// association; TO is "-", the peer address for SCTP_ADDR_OVER, or "#ID" for association ID.
void send(Side& side, uint16_t peerPort, std::istringstream& in)
{
    Message m;
    if (!readMessage(in, m)) {
        report("sent %lu -1 %d", m.seq, EINVAL);
        return;
    }
    if (m.target.size() > 1 && m.target[0] == '#') {
        sendMessage(side, m, nullptr, uint32_t(std::strtoul(m.target.c_str() + 1, nullptr, 10)));
        return;
    }
    sockaddr_storage dest {};
    socklen_t destLen = 0;
    if (m.target != "-" && !parseAddress(m.target, peerPort, dest, destLen)) {
        report("sent %lu -1 %d", m.seq, EINVAL);
        return;
    }
    sendMessage(side, m, m.target == "-" ? nullptr : reinterpret_cast<sockaddr*>(&dest));
}

// The SCTP_CONNECT_X_DELAYED socket option (FreeBSD's netinet/sctp.h; usrsctp.h does not name
// it, usrsctp_setsockopt implements it): an association to every listed address, its INIT held
// back until the first send.
constexpr int kSctpConnectXDelayed = 0x00008008;

// "sendx SEQ FLAGS SID PPID CONTEXT POLICY VALUE ADDRS HEX": sctp_sendmsgx(3). ADDRS is
// "HOST:PORT,[V6]:PORT,…". Done as FreeBSD's libc does it: more than one address first sets an
// association up to all of them (SCTP_CONNECT_X_DELAYED; EALREADY when one exists is not an
// error), then the message goes to the first address — so a new association carries it on
// COOKIE-ECHO, with every listed address a path.
void sendx(Side& side, uint16_t peerPort, std::istringstream& in)
{
    Message m;
    std::vector<char> packed;
    int count = 0;
    sockaddr_storage first {};
    socklen_t firstLen = 0;
    if (!readMessage(in, m) || !parseList(m.target, peerPort, packed, count, first, firstLen)) {
        report("sent %lu -1 %d", m.seq, EINVAL);
        return;
    }
    if (count > 1
        && usrsctp_setsockopt(side.so, IPPROTO_SCTP, kSctpConnectXDelayed, packed.data(), socklen_t(packed.size())) < 0
        && errno != EALREADY && errno != EISCONN) {
        report("sent %lu -1 %d", m.seq, errno);
        return;
    }
    sendMessage(side, m, reinterpret_cast<sockaddr*>(&first));
}

void setPrimary(std::istringstream& in)
{
    std::string host;
    in >> host;
    sctp_setprim prim {};
    prim.ssp_assoc_id = g_client.assoc;
    socklen_t len = 0;
    if (!parseAddress(host, kServerPort, prim.ssp_addr, len)) {
        report("primary %s %d", host.c_str(), EINVAL);
        return;
    }
    const int r = usrsctp_setsockopt(g_client.so, IPPROTO_SCTP, SCTP_PRIMARY_ADDR, &prim, sizeof prim);
    report("primary %s %d", host.c_str(), r < 0 ? errno : 0);
}

// Called when the parent is done: it no longer reflects packets, so a graceful SHUTDOWN could
// never complete. Abort instead (SO_LINGER 0), and the endpoints are gone at once.
void shutdownAll()
{
    g_quit = true;
    for (Side* side : { &g_client, &g_server }) {
        if (!side->so)
            continue;
        linger abortive {};
        abortive.l_onoff = 1;
        abortive.l_linger = 0;
        usrsctp_setsockopt(side->so, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
        usrsctp_close(side->so);
    }
    for (int i = 0; i < 300 && usrsctp_finish() != 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
}


// Reads the parent's commands until "quit" or the end of stdin (the parent is gone or done),
// sending from `side` (peerPort: the port of an address given without one); "primary" only
// where the lab's client runs. Then stops the receiver and usrsctp.
int serve(Side& side, uint16_t peerPort, bool primaryCommand, std::thread& rx)
{
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::string cmd;
        in >> cmd;
        if (cmd == "send")
            send(side, peerPort, in);
        else if (cmd == "sendx")
            sendx(side, peerPort, in);
        else if (cmd == "status")
            status();
        else if (cmd == "primary" && primaryCommand)
            setPrimary(in);
        else if (cmd == "quit")
            break;
        else
            report("error unknown command %s", cmd.c_str());
    }
    g_quit = true;
    rx.join();
    shutdownAll();
    report("bye");
    return 0;
}

// Endpoint mode (ladderctl send/listen sctp with several addresses): one one-to-many socket of
// our own, bound to every --bind address, talking RFC 6951 UDP encapsulation to a real peer.
struct EndpointMode {
    bool on = false;
    std::string bind = "127.0.0.1,::1"; // hosts, comma-separated, or "*" for every address
    uint16_t port = 0; // our SCTP port (0: any)
    uint16_t encapsPort = 0; // our UDP encapsulation port (0: a free one)
    uint16_t peerEncapsPort = 9899; // the peer's
    bool listen = false;
};

int runEndpoint(const EndpointMode& e, const Tuning& t, uint16_t encaps)
{
    Side& side = g_client;
    side.name = "local";
    if (!setUp(side, e.port, e.peerEncapsPort, t, e.bind)) {
        shutdownAll();
        return 1;
    }
    if (e.listen)
        usrsctp_listen(side.so, 1);
    std::thread rx(receiveLoop);
    report("ready %u %u 0", encaps, e.port);
    return serve(side, 0, false, rx);
}

const char* const kUsage
    = "usage: ladderlab-sctp-mh --reflector-port PORT [--no-connect] [--rto-initial MS --rto-min MS --rto-max MS "
      "--heartbeat MS --path-max-retrans N]\n"
      "       ladderlab-sctp-mh --endpoint [--bind HOST,HOST] [--port N] [--encaps-port P] [--peer-encaps-port P] "
      "[--listen] [tuning options]\n"
      "(started by LadderLab's multi-homed SCTP lab and by ladderctl; it reads commands on stdin)\n";

} // namespace

int main(int argc, char** argv)
{
    uint16_t reflector = 0;
    bool connectOnStart = true;
    Tuning t;
    EndpointMode endpoint;
    for (int i = 1; i < argc; ++i) {
        const std::string opt = argv[i];
        if (opt == "--no-connect") {
            connectOnStart = false;
            continue;
        }
        if (opt == "--endpoint") {
            endpoint.on = true;
            continue;
        }
        if (opt == "--listen") {
            endpoint.listen = true;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "ladderlab-sctp-mh: %s needs a value\n%s", opt.c_str(), kUsage);
            return 2;
        }
        const std::string value = argv[++i];
        if (opt == "--bind") {
            endpoint.bind = value;
            continue;
        }
        char* end = nullptr;
        const unsigned long v = std::strtoul(value.c_str(), &end, 10);
        if (*end != '\0' || value.empty()) {
            std::fprintf(stderr, "ladderlab-sctp-mh: %s takes a number, not %s\n%s", opt.c_str(), value.c_str(), kUsage);
            return 2;
        }
        if (opt == "--reflector-port")
            reflector = uint16_t(v);
        else if (opt == "--port")
            endpoint.port = uint16_t(v);
        else if (opt == "--encaps-port")
            endpoint.encapsPort = uint16_t(v);
        else if (opt == "--peer-encaps-port")
            endpoint.peerEncapsPort = uint16_t(v);
        else if (opt == "--rto-initial")
            t.rtoInitial = uint32_t(v);
        else if (opt == "--rto-min")
            t.rtoMin = uint32_t(v);
        else if (opt == "--rto-max")
            t.rtoMax = uint32_t(v);
        else if (opt == "--heartbeat")
            t.heartbeatMs = uint32_t(v);
        else if (opt == "--path-max-retrans")
            t.pathMaxRetrans = uint16_t(v);
        else {
            std::fprintf(stderr, "ladderlab-sctp-mh: unknown option %s\n%s", opt.c_str(), kUsage);
            return 2;
        }
    }
    if (!reflector && !endpoint.on) {
        std::fprintf(stderr, "%s", kUsage);
        return 2;
    }

    // Our encapsulation port: the one asked for, or a free one, found by binding a UDP socket to
    // port 0 on 127.0.0.1 (usrsctp binds the wildcard address of that port itself).
    uint16_t encaps = endpoint.encapsPort;
    if (!encaps) {
        const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in a {};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0
            || getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) < 0) {
            report("error no free UDP port on 127.0.0.1: %s", std::strerror(errno));
            return 1;
        }
        encaps = ntohs(a.sin_port);
        ::close(s);
    }
    usrsctp_init(encaps, nullptr, nullptr);
    usrsctp_sysctl_set_sctp_blackhole(0);
    // The hang bug (shared USRSCTP.md): SCTP_ADDR_OVER to a non-primary address spins in the default
    // stream scheduler; first-come-first-served avoids it.
    usrsctp_sysctl_set_sctp_default_ss_module(SCTP_SS_FIRST_COME);
    if (endpoint.on)
        return runEndpoint(endpoint, t, encaps);

    if (!setUp(g_server, kServerPort, reflector, t, "127.0.0.1,::1")
        || !setUp(g_client, kClientPort, reflector, t, "127.0.0.1,::1")) {
        shutdownAll();
        return 1;
    }
    usrsctp_listen(g_server.so, 1);
    std::thread rx(receiveLoop);
    report("ready %u %u %u", encaps, kClientPort, kServerPort);

    // Without --no-connect the association comes up by itself; with it, the first sendx
    // (sctp_sendmsgx) sets it up.
    std::vector<char> server = bothLoopbacks(kServerPort);
    sctp_assoc_t id = 0;
    if (connectOnStart && usrsctp_connectx(g_client.so, reinterpret_cast<sockaddr*>(server.data()), 2, &id) < 0
        && errno != EINPROGRESS)
        report("error connectx to 127.0.0.1 and ::1 port %u: %s", kServerPort, std::strerror(errno));

    return serve(g_client, kServerPort, true, rx);
}
