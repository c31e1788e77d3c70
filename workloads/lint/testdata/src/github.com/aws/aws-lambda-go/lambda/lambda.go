// Package lambda is a stand-in for aws-lambda-go's entry points.
package lambda

type Option func()

func Start(handler interface{}) {}

func StartWithOptions(handler interface{}, options ...Option) {}
