# SPDX-License-Identifier: GPL-3.0-or-later
# Network mode (issue 20): the Network panel, its session and the SIP endpoint on real sockets.
# The digest password goes to the desktop's keyring through QtKeychain (qtkeychain-qt6-dev).
find_package(Qt6Keychain REQUIRED)
target_sources(ladderlab_ui PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/listenerspec.h ${CMAKE_CURRENT_LIST_DIR}/listenerspec.cpp
    ${CMAKE_CURRENT_LIST_DIR}/credentialstore.h ${CMAKE_CURRENT_LIST_DIR}/credentialstore.cpp
    ${CMAKE_CURRENT_LIST_DIR}/authbox.h ${CMAKE_CURRENT_LIST_DIR}/authbox.cpp
    ${CMAKE_CURRENT_LIST_DIR}/networkengine.h ${CMAKE_CURRENT_LIST_DIR}/networkengine.cpp
    ${CMAKE_CURRENT_LIST_DIR}/networkpanel.h ${CMAKE_CURRENT_LIST_DIR}/networkpanel.cpp
    ${CMAKE_CURRENT_LIST_DIR}/networksession.h ${CMAKE_CURRENT_LIST_DIR}/networksession.cpp
    ${CMAKE_CURRENT_LIST_DIR}/networksctp.h ${CMAKE_CURRENT_LIST_DIR}/networksctp.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sipresolver.h ${CMAKE_CURRENT_LIST_DIR}/sipresolver.cpp)
target_link_libraries(ladderlab_ui PRIVATE Qt6Keychain::Qt6Keychain)
