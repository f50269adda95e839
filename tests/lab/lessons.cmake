# SPDX-License-Identifier: GPL-3.0-or-later
# Lessons as files (issue 22, docs/LESSONS.md): the format's reader and its errors, every built-in
# lesson from its file byte-identical to the C++ exchange it drives, a lesson written from the docs.
ladderlab_add_test(tst_lesson_file SOURCES tst_lesson_file.cpp LABELS integration TIMEOUT 240)
add_dependencies(tst_lesson_file ladderctl)
target_compile_definitions(tst_lesson_file PRIVATE
    LADDERCTL="$<TARGET_FILE:ladderctl>"
    LESSON_TESTDATA="${CMAKE_CURRENT_LIST_DIR}/lessons"
    LESSON_RESOURCES="${PROJECT_SOURCE_DIR}/resources/lessons"
    LESSON_DOCS="${PROJECT_SOURCE_DIR}/docs/LESSONS.md")
