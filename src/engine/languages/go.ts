import { type LanguageDefinition, SELF_TEST_EXPECTED, SELF_TEST_STDIN } from './language.js';

export const go: LanguageDefinition = {
  id: 'go',
  name: 'Go',
  aliases: ['golang'],
  extensions: ['.go'],
  shebang: 'blank',
  sourceFile: 'main.go',
  version: { argv: ['/usr/bin/go', 'version'], pattern: /go version go(\S+)/ },
  // Built as a module the engine generates ("module main"), so several files of package main
  // and sub-packages imported as "main/pkg" work. No network: GOPROXY=off.
  compile: { argv: ['/usr/bin/go', 'build', '-o', 'main', '-buildvcs=false', '{options}', '.'] },
  run: { argv: ['./main'] },
  env: {
    // No cgo: "#cgo CFLAGS/LDFLAGS" lines hand flags to gcc and the linker, and Go's allowlist
    // of them has been bypassed to run code at build time (CVE-2023-29404, -29405, -39323).
    CGO_ENABLED: '0',
    GOCACHE: '/tmp/go-cache',
    GOPATH: '/tmp/go',
    GOPROXY: 'off',
    GOFLAGS: '-mod=mod',
    GO111MODULE: 'on',
    GOTOOLCHAIN: 'local',
    HOME: '/tmp',
  },
  generatedFiles: [{ path: 'go.mod', content: 'module main\n\ngo 1.19\n' }],
  requires: ['/usr/bin/go'],
  limits: { compile: { processes: 256 } },
  selfTest: {
    source:
      'package main\n\nimport "fmt"\n\nfunc main() {\n\tvar name string\n\tfmt.Scan(&name)\n\tfmt.Printf("hello, %s\\n", name)\n' +
      '\ts := 0\n\tfor i := 1; i <= 10; i++ {\n\t\ts += i\n\t}\n\tfmt.Printf("sum=%d\\n", s)\n}\n',
    stdin: SELF_TEST_STDIN,
    expected: SELF_TEST_EXPECTED,
  },
};
