# SPDX-License-Identifier: GPL-3.0-or-later
# The lab's built-in peers (SIP UAC, UAS, forking proxy, registrar; SCTP sink, echo, bulk sender).
target_sources(ladderlab_stack PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/network.h ${CMAKE_CURRENT_LIST_DIR}/network.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sippeer.h ${CMAKE_CURRENT_LIST_DIR}/sippeer.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sipuac.h ${CMAKE_CURRENT_LIST_DIR}/sipuac.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sipuas.h ${CMAKE_CURRENT_LIST_DIR}/sipuas.cpp
    ${CMAKE_CURRENT_LIST_DIR}/forkingproxy.h ${CMAKE_CURRENT_LIST_DIR}/forkingproxy.cpp
    ${CMAKE_CURRENT_LIST_DIR}/registrar.h ${CMAKE_CURRENT_LIST_DIR}/registrar.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sctppeers.h ${CMAKE_CURRENT_LIST_DIR}/sctppeers.cpp)
