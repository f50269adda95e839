# SPDX-License-Identifier: GPL-3.0-or-later
# Lessons as files (issue 22, docs/LESSONS.md): the format's reader, the scenario that runs a lesson
# file, and the built-in lessons' files (resources/lessons/*.json, compiled in as :/lessons/NAME.json).
target_sources(ladderlab_stack PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/lesson.h ${CMAKE_CURRENT_LIST_DIR}/lesson.cpp
    ${CMAKE_CURRENT_LIST_DIR}/filescenario.h ${CMAKE_CURRENT_LIST_DIR}/filescenario.cpp
    ${CMAKE_CURRENT_LIST_DIR}/reader.h
    ${CMAKE_CURRENT_LIST_DIR}/sctplessonfile.h ${CMAKE_CURRENT_LIST_DIR}/sctplessonfile.cpp
    ${CMAKE_CURRENT_LIST_DIR}/sctplesson.h ${CMAKE_CURRENT_LIST_DIR}/sctplesson.cpp)
file(GLOB LADDERLAB_LESSON_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/resources/lessons/*.json)
if(LADDERLAB_LESSON_FILES)
    qt_add_resources(ladderlab_stack "ladderlab_lessons" PREFIX "/" BASE ${PROJECT_SOURCE_DIR}/resources
        FILES ${LADDERLAB_LESSON_FILES})
endif()
