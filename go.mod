module minsheng

go 1.26.8

require (
	github.com/shopspring/decimal v1.6.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)
