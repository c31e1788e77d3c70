package hostnamelog_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"gofn/workloads/lint/hostnamelog"
)

func TestReportsHostnameInLogs(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), hostnamelog.Analyzer, "bad")
}

func TestLeavesOtherUsesAlone(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), hostnamelog.Analyzer, "good")
}
