" Vim syntax file
" Language:  regdsl (university regulations as code)
" Filenames: *.reg
"
" The keyword lists are written by `python -m tools.keywords` from
" src/regdsl/syntax/keywords.py; tests/test_keywords_agree.py fails when they differ.

if exists("b:current_syntax")
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match
syn iskeyword @,48-57,_

syn keyword regdslStructure    article articles book deleted item items paragraph
syn keyword regdslStructure    paragraphs part provisions section subitem supplementary
syn keyword regdslDeclaration  body column decision define duties fact outcome row table
syn keyword regdslDeclaration  total unit
syn keyword regdslControl      else however if notwithstanding overrides then unless when
syn keyword regdslOperatorWord and at exceeds is least less more most not or than
syn keyword regdslConstant     false none true
syn keyword regdslKeyword      administered affects after all amended amendment any
syn keyword regdslKeyword      applies applying approval as before by cited delegated
syn keyword regdslKeyword      effect established except following for force from in list
syn keyword regdslKeyword      lookup mutandis mutatis of one per preceding range reading
syn keyword regdslKeyword      refers takes the this to until upon uses whole

" Names introduced or referred to by a keyword.  A keyword in the same place
" wins over these matches (see :help syn-priority).
syn match regdslRuleHead   /\%(^\s*\%(however\s\+\)\=\)\@<=\h\w*\ze\s*\%(=\|if\>\)/
syn match regdslDeclared   /\%(\<\%(fact\|outcome\|define\|decision\)\s\+\)\@<=\h\w*/
syn match regdslClass      /\%(\<\%(body\|table\|unit\|by\)\s\+\)\@<=\h\w*/
syn match regdslClass      /\%(\<part\s\+of\s\+\|\<unit\s\+\h\w*\s*,\s*\)\@<=\h\w*/
syn match regdslClass      /\%(\<lookup\s\+\h\w*\s\+in\s\+\)\@<=\h\w*/
syn match regdslColumn     /\%(\<\%(column\|lookup\)\s\+\)\@<=\h\w*/
syn match regdslNamespace  /\%(\<\%(book\|uses\|applies\)\s\+\)\@<=\h\w*/
syn match regdslLabel      /\%(\<subitem\s\+\)\@<=\h\w*/
syn match regdslType       /\%(:\s*\%(\%(range\|list\)\s\+of\s\+\)*\)\@<=\h\w*/
syn match regdslEnum       /\%(:\s*one\s\+of\s\+\%(\h\w*\s*,\s*\)*\)\@<=\h\w*/
syn match regdslUnit       /\%(\d\s\+\|\<per\s\+\)\@<=\h\w*/
syn match regdslCall       /\<\h\w*\ze\s*(/

syn match regdslNumber     /\<\d\+\%(\.\d\+\)\=\>/
syn match regdslDate       /\<\d\{4}-\d\d-\d\d\>/
syn match regdslTime       /\<\d\{1,2}:\d\d\>/
syn match regdslOperator   /<=\|>=\|[<>=+\-*/]/
syn match regdslDelimiter  /[,():]/

syn region regdslString    start=/"/ skip=/\\./ end=/"/ end=/$/ oneline contains=regdslEscape,@Spell
syn match regdslEscape     /\\./ contained
syn match regdslText       /|.*$/ contains=regdslTextBar,@Spell
syn match regdslTextBar    /|/ contained
syn match regdslComment    /#.*$/ contains=regdslTodo,@Spell
syn keyword regdslTodo     TODO FIXME XXX contained

hi def link regdslStructure    Structure
hi def link regdslDeclaration  StorageClass
hi def link regdslControl      Conditional
hi def link regdslOperatorWord Operator
hi def link regdslConstant     Boolean
hi def link regdslKeyword      Keyword
hi def link regdslRuleHead     Identifier
hi def link regdslDeclared     Function
hi def link regdslClass        Type
hi def link regdslColumn       Identifier
hi def link regdslNamespace    Include
hi def link regdslLabel        Label
hi def link regdslType         Type
hi def link regdslEnum         Constant
hi def link regdslUnit         Type
hi def link regdslCall         Function
hi def link regdslNumber       Number
hi def link regdslDate         Constant
hi def link regdslTime         Constant
hi def link regdslOperator     Operator
hi def link regdslDelimiter    Delimiter
hi def link regdslString       String
hi def link regdslEscape       SpecialChar
hi def link regdslText         String
hi def link regdslTextBar      Delimiter
hi def link regdslComment      Comment
hi def link regdslTodo         Todo

let b:current_syntax = "regdsl"

let &cpo = s:cpo_save
unlet s:cpo_save
