package good

import (
	"fmt"
	"log/slog"
	"os"
)

func start() error {
	slog.Info("started", "logStream", os.Getenv("AWS_LAMBDA_LOG_STREAM_NAME"))
	h, err := os.Hostname()
	if err != nil {
		return err
	}
	// Used, not logged.
	if h == "" {
		return fmt.Errorf("empty hostname")
	}
	slog.Info("hostname known", "length", len(h))
	return nil
}
