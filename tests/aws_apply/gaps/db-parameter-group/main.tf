# Minimal root of a moto gap (see README.md): real AWS applies it with an empty second plan.

provider "aws" {
  region = "us-east-1"
}

resource "aws_db_parameter_group" "this" {
  name        = "mssql"
  family      = "sqlserver-ex-16.0"
  description = "mssql"

  parameter {
    name         = "rds.force_ssl"
    value        = "1"
    apply_method = "pending-reboot"
  }
}
