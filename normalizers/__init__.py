"""Pure normalizing functions: text, numbers, values, categories, indicator names."""
