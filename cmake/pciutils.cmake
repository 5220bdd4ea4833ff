# Static libpci and static jansson for the fully static orch-agent.
#
# Debian ships libpci only as a shared library, and the agent must run on PVE 7,
# 8 and 9 alike, so it is linked with -static. libpci is therefore built here
# from Debian's own pciutils source package (same version and patches as the
# distribution's lspci), fetched through apt with the machine's own mirrors.
#
# The version is pinned and every file of the source package is checked
# against the SHA-256 written below before it is unpacked: the agent's bytes,
# and so the hash every node is checked against, depend on this tree alone. A
# mirror that no longer serves this version, or serves other bytes for it,
# stops the configure; moving to another version is an edit of this file.
#
# Everything lives under ${CMAKE_BINARY_DIR}/_deps/pciutils and is fetched once
# per build tree: a later configure or build reuses it.
#
# Provides:
#   orch::libpci          IMPORTED STATIC; include as <pci/pci.h>
#   orch::jansson_static  IMPORTED STATIC; libjansson.a from libjansson-dev
#   ORCH_PCIUTILS_VERSION the Debian version of the source package used
#
# Cache variables:
#   ORCH_PCIUTILS_DOWNLOAD  a directory already holding the pinned source
#                           package's files (checked like fetched ones): no
#                           apt-get then
#   ORCH_PCIUTILS_SOURCE    an already unpacked pciutils source tree to copy
#                           instead of fetching (unchecked: its agent is not
#                           the reproducible one; for machines without a mirror)

set(ORCH_PCIUTILS_SOURCE "" CACHE PATH
  "Unpacked pciutils source tree to use instead of fetching Debian's source package")
set(ORCH_PCIUTILS_DOWNLOAD "" CACHE PATH
  "Directory holding the pinned pciutils source package files, to use instead of fetching them")

# Debian 12's pciutils, as bookworm ships it.
set(_pu_pin_version "1:3.9.0-4")
set(_pu_pin_files
  pciutils_3.9.0-4.dsc            b605cd0cfb3e56ebfbc60af4a72aec3d6d60ce514ae2ebd9a8e2e84e61c2aeda
  pciutils_3.9.0.orig.tar.gz      8953a785b2e3af414434b8fdcbfb75c90758819631001e60dd3afb89b22b2331
  pciutils_3.9.0.orig.tar.gz.asc  e1f32991072cc621d99a2437a923af09951cf1ad95e578a359b4e486cf641d58
  pciutils_3.9.0-4.debian.tar.xz  8fa19682a52543b1d4f613099ead5bdf0eee42b84003626625801bb05ed564a5)
set(_pu_pin_names "")
foreach(_i RANGE 0 6 2)
  list(GET _pu_pin_files ${_i} _n)
  list(APPEND _pu_pin_names ${_n})
endforeach()
list(GET _pu_pin_names 0 _pu_dsc)

set(_pu_root "${CMAKE_BINARY_DIR}/_deps/pciutils")
set(_pu_src "${_pu_root}/src")
set(_pu_stamp "${_pu_src}/.orch-unpacked")
set(_pu_inc "${_pu_root}/include")
set(_pu_lib "${_pu_src}/lib/libpci.a")

# Runs a command at configure time, three tries (a mirror may hiccup); stops
# the configure with its output when it keeps failing, since a half-fetched
# tree would only fail later and less clearly.
function(_orch_pciutils_run what)
  foreach(try 1 2 3)
    execute_process(COMMAND ${ARGN}
      WORKING_DIRECTORY "${_pu_wd}"
      RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(rc EQUAL 0)
      return()
    endif()
    message(STATUS "pciutils: ${what} failed (${rc}), try ${try} of 3")
    execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 5)
  endforeach()
  message(FATAL_ERROR "pciutils: ${what} failed (${rc}):\n${out}\n${err}")
endfunction()

# Writes deb-src copies of the system's apt sources into dir, as
# sources.list (one-line format) and sources.list.d/debian.sources (deb822).
function(_orch_pciutils_apt_sources dir)
  file(MAKE_DIRECTORY "${dir}/sources.list.d")
  set(found FALSE)
  set(list_out "")
  if(EXISTS /etc/apt/sources.list)
    file(STRINGS /etc/apt/sources.list lines)
    foreach(line IN LISTS lines)
      if(line MATCHES "^[ \t]*deb[ \t]+(.*)$")
        string(APPEND list_out "deb-src ${CMAKE_MATCH_1}\n")
        set(found TRUE)
      endif()
    endforeach()
  endif()
  file(WRITE "${dir}/sources.list" "${list_out}")
  set(d822 /etc/apt/sources.list.d/debian.sources)
  if(EXISTS ${d822})
    file(READ ${d822} text)
    string(REGEX REPLACE "(^|\n)Types:[^\n]*" "\\1Types: deb-src" text "${text}")
    file(WRITE "${dir}/sources.list.d/debian.sources" "${text}")
    set(found TRUE)
  endif()
  if(NOT found)
    message(FATAL_ERROR "pciutils: no apt source in '/etc/apt/sources.list' or "
      "'${d822}' to fetch the pciutils source package from "
      "(or set ORCH_PCIUTILS_SOURCE to an unpacked pciutils tree)")
  endif()
endfunction()

# Checks every pinned file in dir against its SHA-256; sets out to TRUE when
# all are there and right, FALSE when one is missing, and stops the configure
# when one is there with other bytes.
function(_orch_pciutils_check dir out)
  set(ok TRUE)
  set(files ${_pu_pin_files})
  while(files)
    list(POP_FRONT files name want)
    if(NOT EXISTS "${dir}/${name}")
      set(ok FALSE)
      continue()
    endif()
    file(SHA256 "${dir}/${name}" got)
    if(NOT got STREQUAL want)
      message(FATAL_ERROR "pciutils: '${dir}/${name}' has SHA-256 ${got}, "
        "not the pinned ${want} (cmake/pciutils.cmake): the source of pciutils "
        "${_pu_pin_version} changed; refusing to build an agent from it")
    endif()
  endwhile()
  set(${out} ${ok} PARENT_SCOPE)
endfunction()

# A tree unpacked from another version (an older build tree) is fetched again.
if(EXISTS "${_pu_stamp}" AND NOT ORCH_PCIUTILS_SOURCE)
  file(STRINGS "${_pu_stamp}" _pu_have LIMIT_COUNT 1)
  if(NOT _pu_have STREQUAL _pu_pin_version)
    message(STATUS "pciutils: '${_pu_have}' in the build tree is not the pinned ${_pu_pin_version}")
    file(REMOVE "${_pu_stamp}")
  endif()
endif()

if(NOT EXISTS "${_pu_stamp}")
  file(REMOVE_RECURSE "${_pu_src}" "${_pu_src}.tmp")
  file(MAKE_DIRECTORY "${_pu_root}")
  set(_pu_wd "${_pu_root}")
  if(ORCH_PCIUTILS_SOURCE)
    if(NOT EXISTS "${ORCH_PCIUTILS_SOURCE}/lib/pci.h")
      message(FATAL_ERROR "pciutils: '${ORCH_PCIUTILS_SOURCE}' is not a pciutils source tree")
    endif()
    message(STATUS "pciutils: copying '${ORCH_PCIUTILS_SOURCE}'")
    file(COPY "${ORCH_PCIUTILS_SOURCE}/" DESTINATION "${_pu_src}.tmp")
    set(_pu_version "local")
  else()
    find_program(ORCH_DPKG_SOURCE dpkg-source REQUIRED)
    set(_pu_dl "${_pu_root}/download")
    file(MAKE_DIRECTORY "${_pu_dl}")
    if(ORCH_PCIUTILS_DOWNLOAD)
      foreach(_f IN LISTS _pu_pin_names)
        if(EXISTS "${ORCH_PCIUTILS_DOWNLOAD}/${_f}")
          file(COPY "${ORCH_PCIUTILS_DOWNLOAD}/${_f}" DESTINATION "${_pu_dl}")
        endif()
      endforeach()
    endif()
    _orch_pciutils_check("${_pu_dl}" _pu_have_all)
    if(NOT _pu_have_all)
      find_program(ORCH_APT_GET apt-get REQUIRED)
      set(_apt "${_pu_root}/apt")
      file(MAKE_DIRECTORY "${_apt}/lists/partial" "${_apt}/cache")
      _orch_pciutils_apt_sources("${_apt}")
      # Own source lists, index and cache: the system's apt state stays untouched.
      # The files land in the build tree, which apt's sandbox user may not be
      # allowed to write, hence no sandbox.
      set(_apt_opts
        -q -o Dir::Etc::SourceList=${_apt}/sources.list
        -o Dir::Etc::SourceParts=${_apt}/sources.list.d
        -o Dir::State::Lists=${_apt}/lists
        -o Dir::Cache=${_apt}/cache
        -o APT::Sandbox::User=root)
      message(STATUS "pciutils: fetching Debian's source package ${_pu_pin_version} with apt")
      _orch_pciutils_run("apt-get update (deb-src)" ${ORCH_APT_GET} ${_apt_opts} update)
      file(GLOB _old "${_pu_dl}/*")
      if(_old)
        file(REMOVE ${_old})
      endif()
      set(_pu_wd "${_pu_dl}")
      _orch_pciutils_run("apt-get source pciutils=${_pu_pin_version} (is it still on the mirror?)"
        ${ORCH_APT_GET} ${_apt_opts} source --download-only --only-source pciutils=${_pu_pin_version})
      # The source indexes (some 20 MB) are not needed once the files are here.
      file(REMOVE_RECURSE "${_apt}/lists" "${_apt}/cache")
      _orch_pciutils_check("${_pu_dl}" _pu_have_all)
      if(NOT _pu_have_all)
        message(FATAL_ERROR "pciutils: apt-get source left '${_pu_dl}' without every file of "
          "${_pu_pin_version} (cmake/pciutils.cmake lists them)")
      endif()
    endif()
    set(_pu_version "${_pu_pin_version}")
    # Every file was checked above, the .dsc's own checksums are then right too.
    set(_pu_wd "${_pu_dl}")
    _orch_pciutils_run("dpkg-source -x ${_pu_dsc}"
      ${ORCH_DPKG_SOURCE} --no-check -x "${_pu_dl}/${_pu_dsc}" "${_pu_src}.tmp")
    # The copy of the upstream tarball dpkg-source leaves beside the tree.
    file(GLOB _orig "${_pu_root}/pciutils_*.orig.tar*")
    if(_orig)
      file(REMOVE ${_orig})
    endif()
  endif()
  file(RENAME "${_pu_src}.tmp" "${_pu_src}")
  file(WRITE "${_pu_stamp}" "${_pu_version}\n")
endif()

file(STRINGS "${_pu_stamp}" ORCH_PCIUTILS_VERSION LIMIT_COUNT 1)
message(STATUS "pciutils: ${ORCH_PCIUTILS_VERSION} in '${_pu_src}'")

# The build options keep libpci free of other libraries (zlib, resolver, udev,
# kmod) so a -static link needs nothing more; names come from the node's own
# /usr/share/misc/pci.ids.
set(_pu_make_args lib/libpci.a SHARED=no ZLIB=no DNS=no HWDB=no LIBKMOD=no
  PREFIX=/usr IDSDIR=/usr/share/misc "CC=${CMAKE_C_COMPILER}")
set(_pu_headers config.h header.h pci.h types.h)
set(_pu_inc_files "")
set(_pu_src_headers "")
foreach(h IN LISTS _pu_headers)
  list(APPEND _pu_inc_files "${_pu_inc}/pci/${h}")
  list(APPEND _pu_src_headers "${_pu_src}/lib/${h}")
endforeach()
file(MAKE_DIRECTORY "${_pu_inc}/pci")

find_program(ORCH_MAKE NAMES gmake make REQUIRED)
# pciutils builds in its own tree with its own Makefile. The parent make's
# jobserver flags are dropped so the inner make neither warns nor misuses them.
add_custom_command(
  OUTPUT "${_pu_lib}" ${_pu_inc_files}
  COMMAND ${CMAKE_COMMAND} -E env --unset=MAKEFLAGS --unset=MFLAGS --unset=MAKELEVEL
          ${ORCH_MAKE} -s ${_pu_make_args}
  COMMAND ${CMAKE_COMMAND} -E copy_if_different
          ${_pu_src_headers} "${_pu_inc}/pci/"
  WORKING_DIRECTORY "${_pu_src}"
  DEPENDS "${_pu_stamp}"
  COMMENT "Building static libpci ${ORCH_PCIUTILS_VERSION}"
  VERBATIM)
add_custom_target(orch_libpci_build DEPENDS "${_pu_lib}" ${_pu_inc_files})

add_library(orch::libpci STATIC IMPORTED GLOBAL)
set_target_properties(orch::libpci PROPERTIES
  IMPORTED_LOCATION "${_pu_lib}"
  INTERFACE_INCLUDE_DIRECTORIES "${_pu_inc}")
add_dependencies(orch::libpci orch_libpci_build)

# jansson: Debian's libjansson-dev ships the static archive next to the shared one.
find_path(ORCH_JANSSON_INCLUDE_DIR jansson.h REQUIRED)
find_library(ORCH_JANSSON_STATIC_LIBRARY NAMES libjansson.a REQUIRED)
add_library(orch::jansson_static STATIC IMPORTED GLOBAL)
set_target_properties(orch::jansson_static PROPERTIES
  IMPORTED_LOCATION "${ORCH_JANSSON_STATIC_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${ORCH_JANSSON_INCLUDE_DIR}")
