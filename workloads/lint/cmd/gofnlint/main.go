// Command gofnlint is gofn's analyzers as a vet tool: the Go-on-Lambda footguns, each finding
// with why it bites on Lambda and the fix.
//
//	go build -o gofnlint gofn/workloads/lint/cmd/gofnlint
//	go vet -vettool=$PWD/gofnlint ./...
//
// `gofn lint [dir]` builds and runs it the same way.
package main

import (
	"golang.org/x/tools/go/analysis/unitchecker"

	"gofn/workloads/lint"
)

func main() {
	unitchecker.Main(lint.Analyzers...)
}
