# SPDX-License-Identifier: GPL-3.0-or-later
# The SIP engine above the message layer: transports, transactions, dialogs and the send call.
target_sources(ladderlab_stack PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/connection.h ${CMAKE_CURRENT_LIST_DIR}/connection.cpp
    ${CMAKE_CURRENT_LIST_DIR}/transport.h
    ${CMAKE_CURRENT_LIST_DIR}/labtransport.h ${CMAKE_CURRENT_LIST_DIR}/labtransport.cpp
    ${CMAKE_CURRENT_LIST_DIR}/udptransport.h ${CMAKE_CURRENT_LIST_DIR}/udptransport.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tcpconnection.h ${CMAKE_CURRENT_LIST_DIR}/tcpconnection.cpp
    ${CMAKE_CURRENT_LIST_DIR}/tcptransport.h ${CMAKE_CURRENT_LIST_DIR}/tcptransport.cpp
    ${CMAKE_CURRENT_LIST_DIR}/timers.h
    ${CMAKE_CURRENT_LIST_DIR}/snapshot.h
    ${CMAKE_CURRENT_LIST_DIR}/senderror.h
    ${CMAKE_CURRENT_LIST_DIR}/transaction.h ${CMAKE_CURRENT_LIST_DIR}/transaction.cpp
    ${CMAKE_CURRENT_LIST_DIR}/transactionuser.h
    ${CMAKE_CURRENT_LIST_DIR}/transactionmessages.h ${CMAKE_CURRENT_LIST_DIR}/transactionmessages.cpp
    ${CMAKE_CURRENT_LIST_DIR}/clienttransaction.h
    ${CMAKE_CURRENT_LIST_DIR}/servertransaction.h
    ${CMAKE_CURRENT_LIST_DIR}/inviteclienttransaction.h ${CMAKE_CURRENT_LIST_DIR}/inviteclienttransaction.cpp
    ${CMAKE_CURRENT_LIST_DIR}/noninviteclienttransaction.h ${CMAKE_CURRENT_LIST_DIR}/noninviteclienttransaction.cpp
    ${CMAKE_CURRENT_LIST_DIR}/inviteservertransaction.h ${CMAKE_CURRENT_LIST_DIR}/inviteservertransaction.cpp
    ${CMAKE_CURRENT_LIST_DIR}/noninviteservertransaction.h ${CMAKE_CURRENT_LIST_DIR}/noninviteservertransaction.cpp
    ${CMAKE_CURRENT_LIST_DIR}/transactionmap.h ${CMAKE_CURRENT_LIST_DIR}/transactionmap.cpp
    ${CMAKE_CURRENT_LIST_DIR}/transactionindex.h ${CMAKE_CURRENT_LIST_DIR}/transactionindex.cpp
    ${CMAKE_CURRENT_LIST_DIR}/transactionlayer.h ${CMAKE_CURRENT_LIST_DIR}/transactionlayer.cpp
    ${CMAKE_CURRENT_LIST_DIR}/dialog.h ${CMAKE_CURRENT_LIST_DIR}/dialog.cpp
    ${CMAKE_CURRENT_LIST_DIR}/dialoglayer.h ${CMAKE_CURRENT_LIST_DIR}/dialoglayer.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sipstack.h ${CMAKE_CURRENT_LIST_DIR}/sipstack.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sipstackreceive.cpp)
# SIP over SCTP (RFC 4168) on the SCTP engine.
target_sources(ladderlab_stack PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/transportsctp.h ${CMAKE_CURRENT_LIST_DIR}/transportsctp.cpp)
