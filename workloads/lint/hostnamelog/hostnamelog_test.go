package hostnamelog_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"gofn/workloads/lint/hostnamelog"
	"gofn/workloads/lint/internal/linttest"
)

func TestReportsHostnameInLogs(t *testing.T) {
	analysistest.Run(t, linttest.TestData(), hostnamelog.Analyzer, "hostnamelog/bad")
}

func TestLeavesOtherUsesAlone(t *testing.T) {
	analysistest.Run(t, linttest.TestData(), hostnamelog.Analyzer, "hostnamelog/good")
}
