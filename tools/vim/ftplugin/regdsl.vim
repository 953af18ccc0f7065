" Vim filetype plugin for regdsl books (*.reg).
if exists("b:did_ftplugin")
  finish
endif
let b:did_ftplugin = 1

setlocal commentstring=#\ %s
" "|" lines are the regulation's text: gq reflows them, Enter continues them.
setlocal comments=:#,:\|
setlocal shiftwidth=2 softtabstop=2 expandtab
setlocal foldmethod=indent
setlocal formatoptions-=t formatoptions+=croq
" :make runs `regdsl check` on the book (compiler/regdsl.vim).
compiler regdsl

let b:undo_ftplugin = "setlocal commentstring< comments< shiftwidth< softtabstop< expandtab< foldmethod< formatoptions<"
      \ . " makeprg< errorformat<"
