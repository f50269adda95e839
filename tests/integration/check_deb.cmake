# Builds the .deb with CPack and checks what it installs.
set(out ${BINARY_DIR}/tests/deb)
file(REMOVE_RECURSE ${out})
file(MAKE_DIRECTORY ${out})
execute_process(COMMAND cpack -G DEB -B ${out} --config ${BINARY_DIR}/CPackConfig.cmake
    WORKING_DIRECTORY ${BINARY_DIR} RESULT_VARIABLE rc OUTPUT_VARIABLE log ERROR_VARIABLE log)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cpack failed:\n${log}")
endif()
file(GLOB debs ${out}/*.deb)
list(LENGTH debs n)
if(NOT n EQUAL 1)
    message(FATAL_ERROR "expected one .deb in ${out}, found: ${debs}")
endif()
execute_process(COMMAND dpkg-deb -c ${debs} OUTPUT_VARIABLE listing RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "dpkg-deb -c failed on ${debs}")
endif()
foreach(path
        "./usr/bin/ladderlab"
        "./usr/bin/ladderctl"
        "./usr/share/applications/${APP_ID}.desktop"
        "./usr/share/metainfo/${APP_ID}.metainfo.xml"
        "./usr/share/icons/hicolor/scalable/apps/${APP_ID}.svg")
    string(FIND "${listing}" "${path}" pos)
    if(pos EQUAL -1)
        message(FATAL_ERROR "${path} missing from the .deb:\n${listing}")
    endif()
endforeach()
execute_process(COMMAND dpkg-deb -f ${debs} Depends OUTPUT_VARIABLE depends)
if(NOT depends MATCHES "libusrsctp" OR NOT depends MATCHES "libqt6widgets6")
    message(FATAL_ERROR "Depends lacks usrsctp or Qt: ${depends}")
endif()
message(STATUS "ok: ${debs}\nDepends: ${depends}")
