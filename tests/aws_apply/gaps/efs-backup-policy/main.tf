# Minimal root of a moto gap (see README.md): real AWS applies it with an empty second plan.

provider "aws" {
  region = "us-east-1"
}

resource "aws_efs_file_system" "this" {
  encrypted = true
}

resource "aws_efs_backup_policy" "this" {
  file_system_id = aws_efs_file_system.this.id

  backup_policy {
    status = "ENABLED"
  }
}
