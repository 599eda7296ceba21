# Minimal root of a moto gap (see README.md): real AWS applies it with an empty second plan.

provider "aws" {
  region = "us-east-1"
}

resource "aws_dynamodb_table" "this" {
  name           = "gap"
  hash_key       = "id"
  read_capacity  = 1
  write_capacity = 1

  attribute {
    name = "id"
    type = "S"
  }
}

resource "aws_appautoscaling_target" "this" {
  service_namespace  = "dynamodb"
  scalable_dimension = "dynamodb:table:ReadCapacityUnits"
  resource_id        = "table/${aws_dynamodb_table.this.name}"
  min_capacity       = 1
  max_capacity       = 2
  tags               = { Name = "gap" }
}
