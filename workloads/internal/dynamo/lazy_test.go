package dynamo

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"gofn/workloads/internal/telemetry"
)

func TestLazyBuildsOnceOnFirstUse(t *testing.T) {
	t.Setenv("TEST_TABLE", "items")
	t.Setenv("AWS_REGION", "us-east-1")
	built := 0
	get := Lazy(telemetry.NewTracingFromEnv("test"), "TEST_TABLE", func(db *dynamodb.Client, table string) string {
		built++
		if db == nil {
			t.Error("wrap got no client")
		}
		return "client for " + table
	})
	if built != 0 {
		t.Fatalf("built %d times before first use, want 0", built)
	}
	for range 3 {
		got, err := get()
		if err != nil || got != "client for items" {
			t.Fatalf("get() = %q, %v; want the client for items", got, err)
		}
	}
	if built != 1 {
		t.Fatalf("built %d times, want 1", built)
	}
}

func TestLazyNamesTheMissingVariable(t *testing.T) {
	t.Setenv("TEST_TABLE", "")
	get := Lazy(telemetry.NewTracingFromEnv("test"), "TEST_TABLE", func(*dynamodb.Client, string) string {
		t.Error("wrap called without a table")
		return ""
	})
	if _, err := get(); err == nil || err.Error() != "TEST_TABLE is not set" {
		t.Fatalf("get() error = %v, want TEST_TABLE is not set", err)
	}
}
