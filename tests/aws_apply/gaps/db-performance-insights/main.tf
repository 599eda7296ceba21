# Minimal root of a moto gap (see README.md): real AWS applies it with an empty second plan.

provider "aws" {
  region = "us-east-1"
}

resource "aws_kms_key" "this" {
  description = "performance insights"
}

resource "aws_db_instance" "this" {
  identifier                            = "gap-insights"
  engine                                = "postgres"
  engine_version                        = "16"
  instance_class                        = "db.t4g.micro"
  allocated_storage                     = 20
  username                              = "postgres"
  manage_master_user_password           = true
  skip_final_snapshot                   = true
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.this.arn
  performance_insights_retention_period = 7
}
