// Package lint holds gofn's analyzers for the Go-on-Lambda footguns: each reports where the
// code is, why it bites on Lambda, and the fix. cmd/gofnlint runs them as a vet tool:
//
//	go build -o gofnlint ./lint/cmd/gofnlint
//	go vet -vettool=$PWD/gofnlint ./...
//
// A finding that is right to ignore is silenced with a directive naming the analyzer and why,
// on the line or the line above: //gofnlint:ignore handlergo joined by Close.
package lint

import (
	"golang.org/x/tools/go/analysis"

	"gofn/workloads/lint/bodylog"
	"gofn/workloads/lint/handlergo"
	"gofn/workloads/lint/hostnamelog"
	"gofn/workloads/lint/initclock"
	"gofn/workloads/lint/panicflow"
	"gofn/workloads/lint/timeouts"
)

// Analyzers are gofn's analyzers, in the order docs/lint.md describes them.
var Analyzers = []*analysis.Analyzer{
	initclock.Analyzer,
	hostnamelog.Analyzer,
	timeouts.Analyzer,
	bodylog.Analyzer,
	panicflow.Analyzer,
	handlergo.Analyzer,
}
