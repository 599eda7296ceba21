# Minimal root of a moto gap (see README.md): real AWS applies it with an empty second plan.

provider "aws" {
  region = "us-east-1"
}

resource "aws_db_instance" "a" {
  identifier                  = "gap-a"
  engine                      = "postgres"
  engine_version              = "16"
  instance_class              = "db.t4g.micro"
  allocated_storage           = 20
  username                    = "postgres"
  manage_master_user_password = true
  skip_final_snapshot         = true
}

resource "aws_db_instance" "b" {
  identifier                  = "gap-b"
  engine                      = "postgres"
  engine_version              = "16"
  instance_class              = "db.t4g.micro"
  allocated_storage           = 20
  username                    = "postgres"
  manage_master_user_password = true
  skip_final_snapshot         = true
}
