"""Career guidance: questionnaires, recommendations, career events and labour-market data."""
