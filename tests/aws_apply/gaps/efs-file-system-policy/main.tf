# Minimal root of a moto gap (see README.md): real AWS applies and destroys it.

provider "aws" {
  region = "us-east-1"
}

resource "aws_efs_file_system" "this" {
  encrypted = true
}

resource "aws_efs_file_system_policy" "this" {
  file_system_id = aws_efs_file_system.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyUnencryptedTransport"
      Effect    = "Deny"
      Principal = { AWS = "*" }
      Action    = "*"
      Resource  = aws_efs_file_system.this.arn
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}
