#!/usr/bin/perl
# SPDX-License-Identifier: GPL-3.0-or-later
# A UAS and registrar built on Net::SIP (Debian libnet-sip-perl), the peer of tst_sip_interop:
# answers OPTIONS with 200, REGISTER as a registrar, and INVITE/ACK/BYE as a user agent.
# Usage: netsip_uas.pl udp|tcp [HOST]. Binds a free port on HOST (127.0.0.1), prints
# "READY <port>", then "ESTABLISHED" when a call got its ACK and "CLEANUP" when it ended.
use strict;
use warnings;
use Net::SIP qw(:all);
use IO::Socket::IP;

$| = 1;
my ($proto, $host) = @ARGV;
$proto ||= 'udp';
$host ||= '127.0.0.1';
my $sock = IO::Socket::IP->new(
    LocalHost => $host,
    LocalPort => 0,
    Proto     => $proto,
    ($proto eq 'tcp' ? (Listen => 16, ReuseAddr => 1) : ()),
) or die "cannot bind $proto $host: $!";
my $leg = Net::SIP::Leg->new(sock => $sock);
my $ua = Net::SIP::Simple->new(legs => [$leg]);
my $listener = $ua->listen(
    cb_established => sub { print "ESTABLISHED\n" },
    cb_cleanup     => sub { print "CLEANUP\n" },
);
my $registrar = Net::SIP::Registrar->new(dispatcher => $ua->{dispatcher});
$ua->create_chain([$registrar, $listener]);
print "READY ", $sock->sockport, "\n";
# The test stops us; never outlive it by much.
$ua->add_timer(60, sub { exit 0 });
$ua->loop;
