" Vim compiler plugin for regdsl books: `:make` runs `regdsl check` on the book of the current
" file and puts every finding in the quickfix list (`:copen`, `:cnext`).
"
"   :compiler regdsl      (the filetype plugin sets it for *.reg buffers)
"   :make                 check the book the current file belongs to (its directory: a book
"                         is a directory of .reg files, checked together)
"   :make PATH...         check these paths as well
"
" regdsl prints each finding as
"   FILE:LINE:COL: E301: message
"       the source line
"       ^^^^
"     hint: did you mean `x`?
" The first line is the entry (its code is the error number); the hint is added to the message;
" the source line and caret are left out (the quickfix jumps to the place).  A finding with no
" place (E702: a path that does not exist) is listed without one.
if exists("current_compiler")
  finish
endif
let current_compiler = "regdsl"

if exists(":CompilerSet") != 2
  command -nargs=* CompilerSet setlocal <args>
endif

let s:cpo_save = &cpo
set cpo&vim

" The directory of the current file, quoted for the shell; :make's arguments come after it.
CompilerSet makeprg=regdsl\ check\ %:p:h:S

CompilerSet errorformat=
      \%E%f:%l:%c:\ E%n:\ %m,
      \%W%f:%l:%c:\ warning:\ %m,
      \%C\ \ hint:\ %m,
      \%-C\ \ \ \ %.%#,
      \%EE%n:\ %m,
      \%-G%\\d%\\+\ problems,
      \%-Gok:\ %.%#,
      \%-G%.%#

let &cpo = s:cpo_save
unlet s:cpo_save
