package bad

import (
	"log"
	"log/slog"
	"os"
)

var host, _ = os.Hostname()

var logger = slog.Default().With("host", host) // want `os.Hostname\(\) in a log field: on Lambda it is the sandbox's name`

func start() {
	slog.Info("started", slog.String("hostname", host)) // want `os.Hostname\(\) in a log field`
	h, err := os.Hostname()
	if err == nil {
		log.Printf("running on %s", h) // want `os.Hostname\(\) in a log field`
	}
	logger.Info("ready", "where", "host "+h) // want `os.Hostname\(\) in a log field`
}
