package handlergo_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"gofn/workloads/lint/handlergo"
	"gofn/workloads/lint/internal/linttest"
)

func TestReportsGoroutinesNotWaitedFor(t *testing.T) {
	analysistest.Run(t, linttest.TestData(), handlergo.Analyzer, "handlergo/bad")
}

func TestLeavesJoinedAndBackgroundGoroutinesAlone(t *testing.T) {
	analysistest.Run(t, linttest.TestData(), handlergo.Analyzer, "handlergo/good")
}
