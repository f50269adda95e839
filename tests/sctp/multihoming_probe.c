/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Multi-homing probe (native usrsctp, threaded usrsctp_init): both ends bound to 127.0.0.1 and
 * 127.0.0.2 with bindx, connectx to both, then an SCTP_ADDR_OVER send to the second address.
 * AF_CONN cannot do this (one AF_CONN address = one path), and 127.0.0.2 is only a local address
 * in a network namespace, so ctest runs it under `unshare -rn` (see CMakeLists.txt). */
#include <usrsctp.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
static struct sockaddr_in a4(const char* ip, int port){ struct sockaddr_in s; memset(&s,0,sizeof s); s.sin_family=AF_INET; s.sin_port=htons(port); inet_pton(AF_INET, ip, &s.sin_addr); return s; }
int main(void){
  setvbuf(stdout,NULL,_IONBF,0);
  usrsctp_init(9899,NULL,NULL);
  usrsctp_sysctl_set_sctp_default_ss_module(SCTP_SS_FIRST_COME);
  struct socket* srv=usrsctp_socket(AF_INET,SOCK_SEQPACKET,IPPROTO_SCTP,NULL,NULL,0,NULL);
  struct sockaddr_in two[2]={a4("127.0.0.1",7000),a4("127.0.0.2",7000)};
  printf("srv bindx %d errno %d\n", usrsctp_bindx(srv,(struct sockaddr*)two,2,SCTP_BINDX_ADD_ADDR), errno);
  usrsctp_listen(srv,1);
  struct socket* cl=usrsctp_socket(AF_INET,SOCK_SEQPACKET,IPPROTO_SCTP,NULL,NULL,0,NULL);
  struct sockaddr_in ctwo[2]={a4("127.0.0.1",7001),a4("127.0.0.2",7001)};
  printf("cl bindx %d errno %d\n", usrsctp_bindx(cl,(struct sockaddr*)ctwo,2,SCTP_BINDX_ADD_ADDR), errno);
  sctp_assoc_t id=0;
  printf("connectx %d errno %d\n", usrsctp_connectx(cl,(struct sockaddr*)two,2,&id), errno);
  sleep(1);
  struct sockaddr* addrs; int n=usrsctp_getpaddrs(cl,id,&addrs); printf("client sees %d peer addresses\n",n); if(n>0) usrsctp_freepaddrs(addrs);
  struct sctp_sndinfo snd; memset(&snd,0,sizeof snd); snd.snd_flags=SCTP_ADDR_OVER; snd.snd_assoc_id=id;
  struct sockaddr_in over=a4("127.0.0.2",7000);
  ssize_t r=usrsctp_sendv(cl,"via-two",7,(struct sockaddr*)&over,1,&snd,sizeof snd,SCTP_SENDV_SNDINFO,0); printf("sendv ADDR_OVER %zd errno %d\n",r,errno);
  char buf[100]; struct sockaddr_in from; socklen_t fl=sizeof from; struct sctp_rcvinfo ri; socklen_t il=sizeof ri; unsigned it; int fg=0;
  for(int k=0;k<5;k++){ ssize_t m=usrsctp_recvv(srv,buf,100,(struct sockaddr*)&from,&fl,&ri,&il,&it,&fg); if(m>0 && !(fg&MSG_NOTIFICATION)){ char ip[32]; inet_ntop(AF_INET,&from.sin_addr,ip,32); printf("server got %zd bytes '%.*s' from %s\n",m,(int)m,buf,ip); break;} }
  return 0; }
