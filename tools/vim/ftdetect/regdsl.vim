" regdsl books.  Vim's own detection claims *.reg only for Windows registry
" files (first line "REGEDIT4" or "Windows Registry Editor ..."); setfiletype
" leaves those alone.
autocmd BufNewFile,BufRead *.reg setfiletype regdsl
