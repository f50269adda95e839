# SPDX-License-Identifier: GPL-3.0-or-later
# `cpack -G DEB` (from the build directory) makes a Debian package of both programs and the
# desktop integration files.
set(CPACK_PACKAGE_NAME "ladderlab")
set(CPACK_PACKAGE_VENDOR "The LadderLab developers")
set(CPACK_PACKAGE_CONTACT "LadderLab developers <ladderlab@invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "See SIP and SCTP work: live transactions, dialogs, associations and streams")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "")
set(CPACK_GENERATOR "DEB")
include(CPack)
