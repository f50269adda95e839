# SPDX-License-Identifier: GPL-3.0-or-later
# Network mode (issue 20): a real peer (sipsak, sipp) against the window's listener, answered in the GUI.
ladderlab_add_test(tst_network_gui SOURCES tst_network_gui.cpp LABELS gui LIBS ladderlab_ui TIMEOUT 120)
add_dependencies(tst_network_gui ladderlab) # --listen is tried on the real executable
add_dependencies(tst_network_gui ladderctl) # the UAS digest test answers ladderctl send sip --auth
# The SCTP endpoint over UDP encapsulation against `ladderctl listen sctp`.
ladderlab_add_test(tst_network_sctp SOURCES tst_network_sctp.cpp LABELS gui LIBS ladderlab_ui TIMEOUT 120)
add_dependencies(tst_network_sctp ladderctl)
# RFC 3263 target order (RFC 2782 SRV weights) and the failover cursor.
ladderlab_add_test(tst_network_targets SOURCES tst_network_targets.cpp LABELS unit LIBS ladderlab_ui)
