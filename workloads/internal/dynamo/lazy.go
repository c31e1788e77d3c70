// Package dynamo builds the DynamoDB client a function needs, once, on first use.
package dynamo

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"gofn/workloads/internal/telemetry"
)

// Lazy returns a function that, on its first call, loads the AWS configuration and creates a
// traced DynamoDB client for the table named by the environment variable tableEnv, then wraps
// them with wrap; later calls return the same value or the same error. Nothing is created at
// init, so a cold start does not pay for a client an invocation may not use, and a missing
// table name fails the invocation with a clear error instead of crashing the runtime.
func Lazy[T any](tracing *telemetry.Tracing, tableEnv string, wrap func(db *dynamodb.Client, table string) T) func() (T, error) {
	table := os.Getenv(tableEnv)
	return sync.OnceValues(func() (T, error) {
		var zero T
		if table == "" {
			return zero, fmt.Errorf("%s is not set", tableEnv)
		}
		// Region, credentials and endpoint come from the environment: the execution role on
		// Lambda, AWS_ENDPOINT_URL and dummy keys against the emulator in tests.
		cfg, err := config.LoadDefaultConfig(context.Background())
		if err != nil {
			return zero, fmt.Errorf("load AWS config: %w", err)
		}
		db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
			o.TracerProvider = tracing.SDK()
			o.APIOptions = append(o.APIOptions, telemetry.AWSCallAttributes)
		})
		return wrap(db, table), nil
	})
}
