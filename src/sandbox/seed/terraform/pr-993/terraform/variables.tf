variable "log_retention_days" {
  description = "How long the ingest logs are kept"
  type        = number
  default     = 30
}

variable "environment" {
  type    = string
  default = "development"
}
