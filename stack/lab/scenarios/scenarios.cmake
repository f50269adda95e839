# SPDX-License-Identifier: GPL-3.0-or-later
# The built-in scenarios (one file each, registered in builtin.cpp) and the peers they run.
include(${CMAKE_CURRENT_LIST_DIR}/../peers/peers.cmake)
target_sources(ladderlab_stack PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/builtin.cpp
    ${CMAKE_CURRENT_LIST_DIR}/labscenario.h ${CMAKE_CURRENT_LIST_DIR}/labscenario.cpp
    ${CMAKE_CURRENT_LIST_DIR}/invitelossyudp.cpp
    ${CMAKE_CURRENT_LIST_DIR}/noninviteudpvstcp.cpp
    ${CMAKE_CURRENT_LIST_DIR}/forking.cpp
    ${CMAKE_CURRENT_LIST_DIR}/cancelringing.cpp
    ${CMAKE_CURRENT_LIST_DIR}/register.cpp
    ${CMAKE_CURRENT_LIST_DIR}/playground.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sctpscenario.h ${CMAKE_CURRENT_LIST_DIR}/sctpscenario.cpp
    ${CMAKE_CURRENT_LIST_DIR}/prsctp.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sctpdelivery.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sctpsendall.cpp
    ${CMAKE_CURRENT_LIST_DIR}/addrover.cpp)
