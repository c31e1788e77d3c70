package handlergo_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"gofn/workloads/lint/handlergo"
)

func TestReportsGoroutinesNotWaitedFor(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), handlergo.Analyzer, "bad")
}

func TestLeavesJoinedAndBackgroundGoroutinesAlone(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), handlergo.Analyzer, "good")
}
