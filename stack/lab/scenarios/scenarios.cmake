target_sources(ladderlab_stack PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/builtin.cpp)
